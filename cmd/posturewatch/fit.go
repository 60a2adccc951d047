package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"posturewatch/vision/posture"
	"posturewatch/vision/posture/fit"
)

func init() {
	register("fit", "fit the judgement's default thresholds to the development data (make fit)", runFit)
}

func runFit(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("fit", stderr)
	features := fs.String("features", "", "features file written by 'posturewatch features --augment' (required)")
	out := fs.String("out", "", "write the generated Go file here (e.g. vision/posture/params_fit.go); default: print it")
	check := fs.String("check", "", "compare the fit with this generated file instead of writing it; exit 1 when they differ")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: posturewatch fit --features FILE [--out FILE | --check FILE]")
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if *features == "" || fs.NArg() != 0 || (*out != "" && *check != "") {
		fs.Usage()
		return 2
	}
	src, digest, err := generate(*features)
	if err != nil {
		fmt.Fprintf(stderr, "posturewatch fit: %v\n", err)
		return 1
	}
	switch {
	case *check != "":
		have, err := os.ReadFile(*check)
		if err != nil {
			fmt.Fprintf(stderr, "posturewatch fit: %v\n", err)
			return 1
		}
		if !bytes.Equal(have, src) {
			fmt.Fprintf(stderr, "posturewatch fit: %s is not what the features (sha256 %s) fit to: run `make fit` and commit the result\n", *check, digest)
			return 1
		}
		fmt.Fprintf(stdout, "%s reproduces the fit of %s\n", *check, *features)
	case *out != "":
		tmp := *out + ".tmp"
		if err := os.WriteFile(tmp, src, 0o644); err != nil {
			fmt.Fprintf(stderr, "posturewatch fit: %v\n", err)
			return 1
		}
		if err := os.Rename(tmp, *out); err != nil {
			os.Remove(tmp)
			fmt.Fprintf(stderr, "posturewatch fit: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote %s\n", filepath.Clean(*out))
	default:
		stdout.Write(src)
	}
	return 0
}

// generate fits the parameters to the features and renders the Go file.
func generate(path string) ([]byte, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:8])
	ss, err := fit.Load(bytes.NewReader(data))
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	res := fit.Fit(ss, startParams(), nil, fit.Options{})
	src, err := fit.GoSource(res)
	return src, digest, err
}

// startParams are where the fit starts: the directions and widths of the
// ramps, and the parameters it does not fit. Starting from the committed
// defaults would make the fit depend on its own last result.
func startParams() posture.Params { return posture.StartParams() }
