package vision

// NewSlot returns a one-slot channel of frames: the newest wins (put).
func NewSlot() chan Frame { return make(chan Frame, 1) }

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
