package desktop_test

import (
	"context"
	"fmt"

	"posturewatch/coach/desktop"
)

// A consumer pauses the camera while CameraAllowed is false and acks
// Sleeping once the camera is closed.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := desktop.New(desktop.Options{})
	go func() { _ = m.Run(ctx) }()

	closeCamera := func() {}
	for ev := range m.Events() { // closed when Run returns
		switch {
		case ev.Kind == desktop.Unavailable:
			fmt.Println("no desktop signals:", ev.Detail)
		case !ev.CameraAllowed:
			closeCamera()
			ev.Ack() // lets the machine sleep; a no-op for the other kinds
		default:
			// open the camera again
		}
	}
}
