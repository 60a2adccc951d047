// Command posturewatch is a webcam posture monitor with coaching.
//
//	posturewatch run        live monitoring with the browser dashboard
//	posturewatch analyze    judge posture on images and videos
//	posturewatch calibrate  make a baseline profile from good-posture frames
//	posturewatch replay     run the coach over a recording and print its events
//	posturewatch cameras    list the cameras and their names
//	posturewatch doctor     check what posturewatch needs, and say how to fix it
//	posturewatch history    the history as a table, JSON or CSV; export; delete
//	posturewatch service    start at login (systemd user unit)
//	posturewatch version    the version, commit, Go and OpenCV versions, the models' digests
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"posturewatch/vision"
	"sort"
	"strings"
)

// command is one subcommand. run gets the arguments after the subcommand name
// and returns the process exit code.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

// register adds a subcommand; each subcommand's file calls it from init.
func register(name, summary string, run func(args []string, stdout, stderr io.Writer) int) {
	if _, dup := commands[name]; dup {
		panic("posturewatch: subcommand registered twice: " + name)
	}
	commands[name] = command{summary: summary, run: run}
}

func init() {
	// In init, not main, so that the tests (which call dispatch) are quiet too.
	quietLibraries()
}

func main() {
	vision.ServeModelCheck() // the child that checks an unknown model file; see vision/modelcheck.go
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

// quietLibraries keeps OpenCV's and FFmpeg's own console chatter ("moov atom
// not found" on a broken video) out of the output: posturewatch reports
// every problem itself with the file name and what to do. A value the user
// set wins.
func quietLibraries() {
	for k, v := range map[string]string{"OPENCV_LOG_LEVEL": "ERROR", "OPENCV_FFMPEG_LOGLEVEL": "-8"} {
		if os.Getenv(k) == "" {
			os.Setenv(k, v)
		}
	}
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "--version" || args[0] == "-version" {
		return runVersion(args[1:], stdout, stderr)
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "posturewatch: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	return cmd.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: posturewatch <command> [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'posturewatch <command> -h' for a command's flags.")
}

// newFlagSet makes a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("posturewatch "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses and returns (exit code, done). done is true when the
// caller should return the code right away (help asked or bad flags).
//
// Flags may come before, between or after the positional arguments
// ("analyze a.jpg --json"); "--" ends flag parsing. The positional arguments
// are then available as fs.Args() as usual.
func parseFlags(fs *flag.FlagSet, args []string) (int, bool) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0, true
			}
			return 2, true
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	// Reparse only the positionals after "--" so fs.Args() returns them all.
	_ = fs.Parse(append([]string{"--"}, pos...))
	return 0, false
}

// newLogger returns a text slog logger on stderr at the given level name.
func newLogger(stderr io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, fmt.Errorf("bad log level %q (want debug, info, warn or error)", level)
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: l})), nil
}
