// Package camview tells when the camera's view changed for good: the laptop
// carried to another desk, its lid tilted, the webcam knocked or clipped to
// another screen. What the judge learnt about where the camera sits (the
// learnt view, posture.Learner) is then wrong until it has rolled out of its
// window, and in the meantime an upright sitter seen from the new place is
// called sunk or leaning in.
//
// The sign is the background. The person moves; the room behind them does
// not while the camera stays put. Watch compares each frame's coarse grey
// copy, outside the region the person covers, with the background it has
// settled on, by normalised correlation: a change of exposure or of the
// room's light scales the picture and keeps the correlation, a camera that
// moved shifts it. One frame that differs is someone walking past or a door
// opening; a view that differs for several frames and seconds in a row has
// moved.
package camview

import (
	"math"
	"time"
)

const (
	// Match is the correlation at or above which a frame's background is the
	// settled one.
	Match = 0.8
	// MoveFrames and MoveFor are how many frames in a row, and for how long,
	// the background must differ before the view counts as moved.
	MoveFrames = 5
	MoveFor    = 5 * time.Second
	// MinShare is the share of the cells that must be background in both
	// the frame and the settled view to compare them at all: a person filling
	// the frame leaves too little room to tell.
	MinShare = 0.1
	// follow is how far the settled background moves towards each matching
	// frame, so the slow changes of a day's light are followed.
	follow = 0.2
)

// Person is the region a person covers, in shares of the frame's width and
// height: the head from HeadX0 to HeadX1 across, from Top down; the body
// from BodyX0 to BodyX1, from BodyTop down to the frame's bottom edge (a
// sitter runs out of the frame there). The room shows beside the head,
// above the shoulders. The zero Person covers nothing.
type Person struct {
	HeadX0, HeadX1, Top     float64
	BodyX0, BodyX1, BodyTop float64
}

// Watch follows one camera's view. The zero Watch is ready; it is not safe
// for concurrent use.
type Watch struct {
	ref    []float64 // the settled background's grey cells
	known  []bool    // cells the settled view has seen as background
	cols   int
	rows   int
	off    int       // frames in a row whose background differed
	since  time.Time // when the first of them was taken
	Moves  int       // how many moves were reported
	scores []float64 // every correlation computed, when not nil (for tests)
}

// Reset forgets the settled view: the next frame settles it afresh.
func (w *Watch) Reset() { w.ref, w.known, w.off = nil, nil, 0 }

// Observe takes a frame's grey cells (cols×rows, row by row, as
// resample.GreyCells makes them), the person in it and when it was taken,
// and reports whether the view has now moved for good. It reports a move
// once; the view the camera moved to is then the settled one.
func (w *Watch) Observe(cells []float64, cols, rows int, p Person, t time.Time) bool {
	if cols <= 0 || rows <= 0 || len(cells) != cols*rows {
		return false
	}
	mask := personCells(p, cols, rows)
	if w.ref == nil || w.cols != cols || w.rows != rows {
		w.settle(cells, cols, rows, mask)
		return false
	}
	r, ok := w.correlation(cells, mask)
	if !ok {
		// Too little background in common to tell: neither a match nor a
		// move. What the frame shows of the room that the settled view has
		// not seen (the sitter moved aside) is taken in, so that a view
		// settled while the sitter filled it can still be compared later.
		w.learn(cells, mask, false)
		return false
	}
	if w.scores != nil {
		w.scores = append(w.scores, r)
	}
	if r >= Match {
		w.off = 0
		w.learn(cells, mask, true)
		return false
	}
	if w.off == 0 {
		w.since = t
	}
	w.off++
	if w.off >= MoveFrames && t.Sub(w.since) >= MoveFor {
		w.settle(cells, cols, rows, mask)
		w.Moves++
		return true
	}
	return false
}

// learn takes in the frame's background: cells the settled view has not
// seen, and, when the frame matched, a step towards it for the others.
func (w *Watch) learn(cells []float64, mask []bool, matched bool) {
	for i, v := range cells {
		switch {
		case mask[i]:
		case !w.known[i]:
			w.ref[i], w.known[i] = v, true
		case matched:
			w.ref[i] += follow * (v - w.ref[i])
		}
	}
}

func (w *Watch) settle(cells []float64, cols, rows int, mask []bool) {
	w.ref = append(w.ref[:0], cells...)
	w.known = w.known[:0]
	for _, m := range mask {
		w.known = append(w.known, !m)
	}
	w.cols, w.rows, w.off = cols, rows, 0
}

// correlation is the normalised correlation of the frame's background with
// the settled one over the cells both show; ok is false when there are too
// few, or either is flat (nothing to correlate).
func (w *Watch) correlation(cells []float64, mask []bool) (float64, bool) {
	var n int
	var sa, sb float64
	for i, v := range cells {
		if mask[i] || !w.known[i] {
			continue
		}
		sa += w.ref[i]
		sb += v
		n++
	}
	if n == 0 || float64(n) < MinShare*float64(len(cells)) {
		return 0, false
	}
	ma, mb := sa/float64(n), sb/float64(n)
	var num, da, db float64
	for i, v := range cells {
		if mask[i] || !w.known[i] {
			continue
		}
		a, b := w.ref[i]-ma, v-mb
		num += a * b
		da += a * a
		db += b * b
	}
	// A flat background (a bare wall) correlates with nothing; grey levels
	// varying by under 2 (0–255) across it are sensor noise.
	if da < 4*float64(n) || db < 4*float64(n) {
		return 0, false
	}
	return num / math.Sqrt(da*db), true
}

// personCells marks the cells the person covers.
func personCells(p Person, cols, rows int) []bool {
	m := make([]bool, cols*rows)
	for y := range rows {
		cy := (float64(y) + 0.5) / float64(rows)
		for x := range cols {
			cx := (float64(x) + 0.5) / float64(cols)
			head := cy >= p.Top && cx >= p.HeadX0 && cx <= p.HeadX1
			body := cy >= p.BodyTop && cx >= p.BodyX0 && cx <= p.BodyX1
			m[y*cols+x] = head || body
		}
	}
	return m
}
