package camview

import (
	"math/rand/v2"
	"testing"
	"time"
)

const cols, rows = 64, 48

// room is a textured background: the ceiling lights, shelves and edges a
// webcam sees behind someone, as a smooth pattern with detail at several
// scales, seen from a camera shifted by (dx, dy) cells.
func room(dx, dy int) []float64 {
	rng := rand.New(rand.NewPCG(7, 8))
	const n = cols + 20
	base := make([]float64, n*n)
	for i := range base {
		base[i] = 60 + 120*rng.Float64()
	}
	// a little smoothing, as a 64×48 copy of a real room has
	smooth := make([]float64, len(base))
	for y := 1; y < n-1; y++ {
		for x := 1; x < n-1; x++ {
			smooth[y*n+x] = (base[y*n+x]*4 + base[y*n+x-1] + base[y*n+x+1] + base[(y-1)*n+x] + base[(y+1)*n+x]) / 8
		}
	}
	out := make([]float64, cols*rows)
	for y := range rows {
		for x := range cols {
			out[y*cols+x] = smooth[(y+5+dy)*n+x+5+dx]
		}
	}
	return out
}

// withPerson paints a sitter over the room: a head and shoulders in the
// region p covers, a flat grey with the level given.
func withPerson(cells []float64, p Person, level float64) []float64 {
	out := append([]float64(nil), cells...)
	m := personCells(p, cols, rows)
	for i := range out {
		if m[i] {
			out[i] = level
		}
	}
	return out
}

func scaled(cells []float64, gain, offset float64) []float64 {
	out := make([]float64, len(cells))
	for i, v := range cells {
		out[i] = v*gain + offset
	}
	return out
}

var sitter = Person{HeadX0: 0.35, HeadX1: 0.65, Top: 0.1, BodyX0: 0.15, BodyX1: 0.85, BodyTop: 0.55}

// smoothRoom is a room of walls and large shapes, without room's fine
// detail: slid by a cell or two it still correlates with itself over
// Match, as a real room's 64×48 copy often does.
func smoothRoom(dx, dy int) []float64 {
	const n = cols + 40
	rng := rand.New(rand.NewPCG(3, 4))
	base := make([]float64, n*n)
	for i := range base {
		base[i] = 40 + 160*rng.Float64()
	}
	const r = 7 // a 15×15 box blur
	smooth := make([]float64, n*n)
	for y := r; y < n-r; y++ {
		for x := r; x < n-r; x++ {
			var s float64
			for v := -r; v <= r; v++ {
				for u := -r; u <= r; u++ {
					s += base[(y+v)*n+x+u]
				}
			}
			smooth[y*n+x] = s / ((2*r + 1) * (2*r + 1))
		}
	}
	// Blurring evens the levels out: stretch them back to a room's.
	lo, hi := smooth[r*n+r], smooth[r*n+r]
	for y := r; y < n-r; y++ {
		for x := r; x < n-r; x++ {
			lo, hi = min(lo, smooth[y*n+x]), max(hi, smooth[y*n+x])
		}
	}
	out := make([]float64, cols*rows)
	for y := range rows {
		for x := range cols {
			out[y*cols+x] = 40 + 160*(smooth[(y+15+dy)*n+x+15+dx]-lo)/(hi-lo)
		}
	}
	return out
}

func TestAFixedCameraDoesNotMove(t *testing.T) {
	for name, still := range map[string][]float64{"detailed": room(0, 0), "smooth": smoothRoom(0, 0)} {
		t.Run(name, func(t *testing.T) { fixedCamera(t, still) })
	}
}

func fixedCamera(t *testing.T, still []float64) {
	var w Watch
	w.scores, w.slides = []float64{}, []Slide{}
	t0 := time.Unix(0, 0)
	noise := rand.New(rand.NewPCG(1, 1))
	for i := range 120 {
		// The sitter leans from side to side, the room's light and the
		// camera's exposure change, and someone walks past behind for
		// three frames.
		p := sitter
		shift := 0.1 * float64(i%5-2) / 2
		p.HeadX0, p.HeadX1, p.BodyX0, p.BodyX1 = p.HeadX0+shift, p.HeadX1+shift, p.BodyX0+shift, p.BodyX1+shift
		cells := scaled(still, 0.6+0.4*float64(i%7)/6, float64(i%3)*10)
		for j := range cells {
			cells[j] += 3 * noise.NormFloat64() // a 64×48 copy averages the sensor's noise down to this
		}
		if i >= 50 && i < 53 {
			cells = withPerson(cells, Person{HeadX0: 0.75, HeadX1: 0.95, Top: 0.2, BodyX0: 0.7, BodyX1: 1, BodyTop: 0.4}, 30)
		}
		if w.Observe(withPerson(cells, p, 90), cols, rows, p, t0.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("frame %d: a move reported with the camera still", i)
		}
	}
	if len(w.scores) < 100 {
		t.Fatalf("only %d frames compared", len(w.scores))
	}
	for i, sl := range w.slides {
		if sl.DX != 0 || sl.DY != 0 {
			t.Errorf("search %d: the still room matched best slid by (%d, %d) cells: %+v", i, sl.DX, sl.DY, sl)
		}
	}
}

// A camera tipped or turned a little (a laptop's lid pushed back a few
// degrees) slides a room of smooth shapes by a cell or two: in place it
// still correlates over Match, so only the slide tells the move. It is
// reported once, as a larger move is, and the view settles where the
// camera now points.
func TestATippedCameraIsNoticedOnce(t *testing.T) {
	for _, c := range []struct {
		name   string
		dx, dy int
	}{{"tipped down 2 cells", 0, 2}, {"tipped up 1 cell", 0, -1}, {"turned 2 cells", 2, 0}, {"both", -1, 2}} {
		t.Run(c.name, func(t *testing.T) {
			var w Watch
			w.scores = []float64{}
			t0 := time.Unix(0, 0)
			moved := -1
			for i := range 40 {
				dx, dy := 0, 0
				if i >= 20 {
					dx, dy = c.dx, c.dy
				}
				if w.Observe(withPerson(smoothRoom(dx, dy), sitter, 90), cols, rows, sitter, t0.Add(time.Duration(i)*time.Second)) {
					if moved >= 0 {
						t.Fatalf("a second move reported at frame %d", i)
					}
					moved = i
				}
			}
			if moved != 20+MoveFrames {
				t.Errorf("move reported at frame %d, want %d (scores %.3f)", moved, 20+MoveFrames, w.scores)
			}
			if r := w.scores[20]; r < Match {
				t.Errorf("the slid room correlates %.3f in place, under Match: the test shows no slide", r)
			}
		})
	}
}

func TestAMovedCameraIsNoticedOnce(t *testing.T) {
	var w Watch
	w.scores = []float64{}
	t0 := time.Unix(0, 0)
	moved := -1
	for i := range 40 {
		dx := 0
		if i >= 20 {
			dx = 6 // the camera turned: the room slid 6 cells (a tenth of the frame)
		}
		if w.Observe(withPerson(room(dx, 0), sitter, 90), cols, rows, sitter, t0.Add(time.Duration(i)*time.Second)) {
			if moved >= 0 {
				t.Fatalf("a second move reported at frame %d", i)
			}
			moved = i
		}
	}
	// MoveFrames frames in a row, the last MoveFor after the first: at a
	// frame a second, the sixth from the new place.
	if moved != 20+MoveFrames {
		t.Errorf("move reported at frame %d, want %d (scores %.2f)", moved, 20+MoveFrames, w.scores)
	}
	if w.Moves != 1 {
		t.Errorf("Moves = %d", w.Moves)
	}
}

func TestAViewSettledWhileTheSitterFilledItIsStillCompared(t *testing.T) {
	var w Watch
	t0 := time.Unix(0, 0)
	close := Person{HeadX0: 0, HeadX1: 1, Top: 0, BodyX0: 0, BodyX1: 1, BodyTop: 0}
	// Leaning right in: no room in view.
	w.Observe(withPerson(room(0, 0), close, 90), cols, rows, close, t0)
	for i := 1; i < 10; i++ {
		w.Observe(withPerson(room(0, 0), sitter, 90), cols, rows, sitter, t0.Add(time.Duration(i)*time.Second))
	}
	moved := false
	for i := 10; i < 30; i++ {
		moved = w.Observe(withPerson(room(0, 8), sitter, 90), cols, rows, sitter, t0.Add(time.Duration(i)*time.Second)) || moved
	}
	if !moved {
		t.Error("the camera moved after the view was settled with the sitter filling it, and no move was reported")
	}
}

func TestAFlatWallTellsNothing(t *testing.T) {
	var w Watch
	t0 := time.Unix(0, 0)
	wall := make([]float64, cols*rows)
	for i := range wall {
		wall[i] = 180
	}
	for i := range 30 {
		cells := wall
		if i >= 10 {
			cells = scaled(wall, 0.5, 0) // the light went down
		}
		if w.Observe(withPerson(cells, sitter, 60), cols, rows, sitter, t0.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("frame %d: a move reported on a bare wall", i)
		}
	}
}

func TestOddInputIsIgnored(t *testing.T) {
	var w Watch
	t0 := time.Unix(0, 0)
	for _, c := range []struct {
		cells      []float64
		cols, rows int
	}{{nil, 0, 0}, {make([]float64, 10), 64, 48}, {make([]float64, 12), 4, 3}, {make([]float64, 12), -4, -3}} {
		if w.Observe(c.cells, c.cols, c.rows, Person{}, t0) {
			t.Errorf("%d×%d with %d cells: a move", c.cols, c.rows, len(c.cells))
		}
	}
	// Another size of picture starts afresh rather than comparing.
	w.Observe(room(0, 0), cols, rows, sitter, t0)
	small := make([]float64, 32*24)
	for i := range 10 {
		if w.Observe(small, 32, 24, Person{}, t0.Add(time.Duration(i)*time.Second)) {
			t.Fatal("a change of picture size reported as a move")
		}
	}
}

// BenchmarkObserve: one frame's comparison (64×48 cells), what the live
// service adds to each analysed frame while it learns the camera's view.
func BenchmarkObserve(b *testing.B) {
	var w Watch
	cells := withPerson(room(0, 0), sitter, 90)
	t := time.Unix(0, 0)
	for b.Loop() {
		t = t.Add(time.Second)
		w.Observe(cells, cols, rows, sitter, t)
	}
}

func TestResetSettlesAfresh(t *testing.T) {
	var w Watch
	t0 := time.Unix(0, 0)
	w.Observe(withPerson(room(0, 0), sitter, 90), cols, rows, sitter, t0)
	w.Reset()
	// Another recording, another room: no move, it is the first view.
	for i := 1; i < 20; i++ {
		if w.Observe(withPerson(room(8, 6), sitter, 90), cols, rows, sitter, t0.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("frame %d: a move reported after Reset", i)
		}
	}
}
