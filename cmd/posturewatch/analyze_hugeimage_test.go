package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A file whose header declares a huge image (OpenCV would abort the whole
// process on the first, and decode the second, 400 bytes long, into 1.2 GB)
// gives an error line; the other files are still analysed and the exit code
// is 1. The program runs as its own process (TestRunMainProcess) so that an
// abort shows as one.
func TestAnalyzeHugeImageGoesOn(t *testing.T) {
	d := dataDir(t)
	needModel(t)
	dir := t.TempDir()
	good, err := os.ReadFile(filepath.Join(d, "misc", "grace_hopper.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	var small bytes.Buffer
	if err := jpeg.Encode(&small, image.NewGray(image.Rect(0, 0, 64, 64)), nil); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"a-huge.png": hugePNG(60000, 60000),
		"b-huge.jpg": hugeJPEG(small.Bytes(), 20000, 20000),
		"c-good.jpg": good,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	coffee := filepath.Join(d, "misc", "coffee.png")
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunMainProcess$", "--", "analyze", "--json", dir, coffee)
	cmd.Env = append(os.Environ(), "POSTUREWATCH_RUN_MAIN=1", "OPENCV_LOG_LEVEL=ERROR")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			t.Fatalf("analyze was killed by %v:\n%s", ws.Signal(), stderr.String())
		}
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stderr.String(), "SIGABRT") || strings.Contains(stderr.String(), "terminate called") {
		t.Fatalf("OpenCV aborted analyze:\n%s", stderr.String())
	}
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr.String())
	}
	recs := jsonLines(t, stdout.String())
	byName := map[string]frameRecord{}
	for _, r := range recs {
		byName[filepath.Base(r.Source)] = r
	}
	if len(recs) != 4 {
		t.Errorf("%d records, want 4 (two refused, two analysed): %+v", len(recs), recs)
	}
	for name, want := range map[string]string{
		"a-huge.png": "PNG declares 60000×60000 pixels, more than the 40-megapixel limit; refusing to decode it",
		"b-huge.jpg": "JPEG declares 20000×20000 pixels, more than the 40-megapixel limit; refusing to decode it",
	} {
		r := byName[name]
		if !strings.Contains(r.Error, want) || !strings.Contains(r.Error, name) {
			t.Errorf("%s: error %q, want it to name the file and say %q", name, r.Error, want)
		}
	}
	// Postures compared as the JSON output spells them.
	if r := byName["c-good.jpg"]; r.Error != "" || fmt.Sprint(r.Posture) != "good" {
		t.Errorf("good photo after the huge ones: %+v", r)
	}
	if r := byName["coffee.png"]; r.Error != "" || fmt.Sprint(r.Posture) != "away" {
		t.Errorf("coffee.png after the directory: %+v", r)
	}
	if !strings.Contains(stderr.String(), "2 of 4 items failed") {
		t.Errorf("stderr does not count the failures: %q", stderr.String())
	}
}

func hugePNGChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(append(b, typ...), data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// hugePNG is the 69-byte PNG: signature, IHDR declaring w×h RGB, a tiny
// valid IDAT (so libpng reads the header without complaint), IEND.
func hugePNG(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	b := append([]byte("\x89PNG\r\n\x1a\n"), hugePNGChunk("IHDR", ihdr)...)
	b = append(b, hugePNGChunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x60, 0x60, 0x60, 0, 0, 0, 4, 0, 1})...)
	return append(b, hugePNGChunk("IEND", nil)...)
}

// hugeJPEG is a small real JPEG whose frame header declares w×h.
func hugeJPEG(j []byte, w, h uint16) []byte {
	j = append([]byte{}, j...)
	i := bytes.Index(j, []byte{0xFF, 0xC0})
	binary.BigEndian.PutUint16(j[i+5:], h)
	binary.BigEndian.PutUint16(j[i+7:], w)
	return j
}
