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
// moved. A camera tipped only a degree or two can keep a smooth room's
// correlation in place; that room matches clearly better slid by a few
// cells, and so differs too.
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
	// slideRows and slideCols are how far slid looks: 6 cells of 48 is an
	// eighth of the frame's height (a lid tipped about 5°, for a camera
	// seeing 40° from top to bottom; further, the room no longer matches in
	// place at all), 4 of 64 a sixteenth of its width.
	slideRows, slideCols = 6, 4
	// slideGain is how many times more of the background the place leaves
	// unmatched (1 − correlation) than the best slide must, for the view to
	// count as slid.
	slideGain = 3.0
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
	slides []Slide   // every slid search, when not nil (for tests)
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
	if r >= Match && !w.slid(cells, mask, r) {
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

// slid tells whether the frame's background, which matches the settled one
// in place (correlation r), matches it clearly better slid by a few cells:
// the camera tipped or turned a little. A laptop's lid pushed back 2° moves
// the room (and the sitter) down by about 5 % of the frame (a camera seeing
// 40° from top to bottom), two or three cells; on a room of smooth walls
// and shelves the correlation in place stays over Match, yet the sitter's
// eyes have dropped half an eye width against everything learnt before,
// enough to read as sinking in the chair.
// Slid counts as differing (Observe): held for MoveFrames and MoveFor it is
// a move.
func (w *Watch) slid(cells []float64, mask []bool, r float64) bool {
	best, bx, by := r, 0, 0
	// Along the two axes (a lid tips, a webcam on a screen's edge turns),
	// then by the best of each at once: 21 correlations, not the 116 of the
	// whole square.
	vBest, vy := r, 0
	for dy := -slideRows; dy <= slideRows; dy++ {
		if dy == 0 {
			continue
		}
		if c, ok := w.correlationAt(cells, mask, 0, dy); ok && c > vBest {
			vBest, vy = c, dy
		}
	}
	hBest, hx := r, 0
	for dx := -slideCols; dx <= slideCols; dx++ {
		if dx == 0 {
			continue
		}
		if c, ok := w.correlationAt(cells, mask, dx, 0); ok && c > hBest {
			hBest, hx = c, dx
		}
	}
	if vBest > best {
		best, by = vBest, vy
	}
	if hBest > best {
		best, bx, by = hBest, hx, 0
	}
	if hx != 0 && vy != 0 {
		if c, ok := w.correlationAt(cells, mask, hx, vy); ok && c > best {
			best, bx, by = c, hx, vy
		}
	}
	if w.slides != nil {
		w.slides = append(w.slides, Slide{R: r, Best: best, DX: bx, DY: by})
	}
	return (bx != 0 || by != 0) && 1-r >= slideGain*(1-best)
}

// Slide is what slid found on one frame (for tests and probes).
type Slide struct {
	R, Best float64
	DX, DY  int
}

// correlation is the normalised correlation of the frame's background with
// the settled one over the cells both show; ok is false when there are too
// few, or either is flat (nothing to correlate).
func (w *Watch) correlation(cells []float64, mask []bool) (float64, bool) {
	return w.correlationAt(cells, mask, 0, 0)
}

// correlationAt is correlation with the frame slid by (dx, dy) cells: the
// settled view's cell (x, y) against the frame's (x+dx, y+dy).
func (w *Watch) correlationAt(cells []float64, mask []bool, dx, dy int) (float64, bool) {
	x0, x1 := max(0, -dx), min(w.cols, w.cols-dx)
	y0, y1 := max(0, -dy), min(w.rows, w.rows-dy)
	// One pass over the cells both show: the sums give the means and the
	// centred products (grey levels 0–255 over at most 3,072 cells: float64
	// keeps them to a part in 10⁸).
	var n int
	var sa, sb, saa, sbb, sab float64
	for y := y0; y < y1; y++ {
		ref, known := w.ref[y*w.cols:][:w.cols], w.known[y*w.cols:][:w.cols]
		row, masked := cells[(y+dy)*w.cols:][:w.cols], mask[(y+dy)*w.cols:][:w.cols]
		for x := x0; x < x1; x++ {
			if masked[x+dx] || !known[x] {
				continue
			}
			a, b := ref[x], row[x+dx]
			sa += a
			sb += b
			saa += a * a
			sbb += b * b
			sab += a * b
			n++
		}
	}
	if n == 0 || float64(n) < MinShare*float64(len(cells)) {
		return 0, false
	}
	fn := float64(n)
	num := sab - sa*sb/fn
	da := saa - sa*sa/fn
	db := sbb - sb*sb/fn
	// A flat background (a bare wall) correlates with nothing; grey levels
	// varying by under 2 (0–255) across it are sensor noise.
	if da < 4*fn || db < 4*fn {
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
