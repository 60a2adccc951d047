package vision

import (
	"io"
	"sync"
	"testing"

	"gocv.io/x/gocv"
)

// countingSource makes small frames whose first pixel encodes the frame
// number; it ends after n frames (never if n < 0) or fails with err.
type countingSource struct {
	mu  sync.Mutex
	n   int
	i   int
	err error
}

func (s *countingSource) Next() (Frame, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n >= 0 && s.i >= s.n {
		if s.err != nil {
			return Frame{}, s.err
		}
		return Frame{}, io.EOF
	}
	m := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(float64(s.i%256), float64(s.i/256%256), 0, 0), 32, 32, gocv.MatTypeCV8UC3)
	f := Frame{Mat: m, Index: s.i, Source: "counting"}
	s.i++
	return f, nil
}

func (s *countingSource) Close() error { return nil }
func (s *countingSource) Name() string { return "counting" }

// pixelIndex reads back the frame number written into the first pixel.
func pixelIndex(f Frame) int {
	v := f.Mat.GetVecbAt(0, 0)
	return int(v[0]) + 256*int(v[1])
}

// The slot always holds the newest frame: a consumer that takes a frame
// now and then gets the latest, in order, and never a stale picture.
func TestSlotNewestWins(t *testing.T) {
	src := &countingSource{n: 300}
	slot := NewSlot()
	var got []int
	for i := range 300 {
		f, err := src.Next()
		if err != nil {
			t.Fatal(err)
		}
		put(slot, f)
		if i%20 == 19 { // a consumer twenty times slower than the source
			g := <-slot
			if pixelIndex(g) != g.Index {
				t.Fatalf("frame %d carries the picture of frame %d", g.Index, pixelIndex(g))
			}
			got = append(got, g.Index)
			g.Close()
		}
	}
	if len(got) != 15 || got[0] != 19 || got[len(got)-1] != 299 {
		t.Fatalf("the consumer got %v, want every 20th frame ending with 299", got)
	}
	put(slot, Frame{Mat: gocv.NewMat(), Index: 300})
	DrainSlot(slot)
	select {
	case f := <-slot:
		t.Errorf("frame %d left after DrainSlot", f.Index)
	default:
	}
}
