//go:build !linux

package v4l

import (
	"context"
	"errors"
	"fmt"
)

var errNotLinux = fmt.Errorf("v4l: Video4Linux exists only on Linux: %w", errors.ErrUnsupported)

func queryCap(string) (capInfo, error) { return capInfo{}, errNotLinux }

func statDev(string) (devStat, error) { return devStat{}, errNotLinux }

// CheckOpen is only implemented on Linux.
func CheckOpen(string) error { return errNotLinux }

// Holders is only implemented on Linux.
func Holders(string, string, int) ([]Holder, error) { return nil, errNotLinux }

// Run is only implemented on Linux.
func (w *Watcher) Run(context.Context) error { return errNotLinux }
