package v4l

import (
	"context"
	"log/slog"

	"posturewatch/coach/domain"
)

// HoldOf turns a watcher event into what monitoring should do with the
// camera: while another program holds the device, monitoring lets go of it
// (a video call must get the camera); when the device is free again it
// takes it back. Gone and Back are not holds: opening handles an unplugged
// camera, with its own message and backoff.
func HoldOf(e Event) (domain.Hold, bool) {
	switch e.Kind {
	case InUse:
		who := "another program"
		if len(e.Holders) > 0 {
			who = HolderNames(e.Holders)
		}
		return domain.Hold{Source: domain.HoldCamera, Reason: "the camera is in use by " + who, On: true}, true
	case Free:
		return domain.Hold{Source: domain.HoldCamera}, true
	}
	return domain.Hold{}, false
}

// WatchHolds watches the device at path and hands holds to out until ctx
// ends: our own opens and closes are left out, and so are probes (a
// program that opens and closes the device within the grace period, as
// PipeWire and browsers do when they list cameras). A watch that cannot be
// set up is logged once and monitoring goes on without yielding.
func WatchHolds(ctx context.Context, opt WatchOptions, out chan<- domain.Hold, log *slog.Logger) {
	events := make(chan Event, 16)
	opt.OnEvent = func(e Event) {
		select {
		case events <- e:
		default: // the consumer is far behind; the newest state still follows
		}
	}
	w, err := NewWatcher(opt)
	if err != nil {
		log.Warn("not watching the camera for other programs", "err", err)
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	for {
		select {
		case err := <-done:
			if err != nil {
				log.Warn("not watching the camera for other programs: the camera is not released for video calls", "device", opt.Path, "err", err)
			}
			return
		case e := <-events:
			h, ok := HoldOf(e)
			if !ok {
				continue
			}
			select {
			case out <- h:
			case <-ctx.Done():
			}
		}
	}
}
