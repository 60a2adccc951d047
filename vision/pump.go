package vision

import (
	"context"
	"errors"
	"io"
	"log/slog"
)

// NewSlot returns the one-slot channel Pump fills.
func NewSlot() chan Frame { return make(chan Frame, 1) }

// Pump reads src until ctx is done or src ends, putting each frame into the
// one-slot channel out; when the slot is full the older frame is dropped (and
// its Mat closed) so the consumer always gets the newest. Per-item problems
// (*ItemError) are logged and skipped. Returns the source's terminal error
// (nil on io.EOF / ctx done). Pump neither closes out nor src; a frame still
// in the slot when Pump returns belongs to whoever drains it (DrainSlot).
// Pump must be the only sender on out. Cancelling ctx is noticed between
// frames: a Next that is blocked (a camera waiting for its next frame) is
// let finish, and its frame closed.
func Pump(ctx context.Context, src Source, out chan Frame) error {
	for {
		if ctx.Err() != nil {
			return nil
		}
		f, err := src.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			var ie *ItemError
			if errors.As(err, &ie) {
				slog.Warn("skipping unusable item", "source", src.Name(), "path", ie.Path, "err", ie.Err)
				continue
			}
			return err
		}
		if ctx.Err() != nil {
			f.Close()
			return nil
		}
		put(out, f)
	}
}

// put places f in the slot, dropping (and closing) an older frame that the
// consumer has not taken yet.
func put(out chan Frame, f Frame) {
	for {
		select {
		case out <- f:
			return
		default:
		}
		select {
		case old := <-out:
			old.Close()
		default: // the consumer took it meanwhile; try again
		}
	}
}

// DrainSlot closes any frame left in the slot.
func DrainSlot(out chan Frame) {
	for {
		select {
		case f := <-out:
			f.Close()
		default:
			return
		}
	}
}
