package vision

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gocv.io/x/gocv"
)

// countingSource makes small frames whose first pixel encodes the frame
// number; it ends after n frames (never if n < 0) or fails with err.
type countingSource struct {
	mu    sync.Mutex
	n     int
	i     int
	err   error
	delay time.Duration
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
	if s.delay > 0 {
		time.Sleep(s.delay)
	}
	m := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(float64(s.i%256), float64(s.i/256%256), 0, 0), 32, 32, gocv.MatTypeCV8UC3)
	f := Frame{Mat: m, Index: s.i, Source: "counting"}
	s.i++
	return f, nil
}

func (s *countingSource) delivered() int { s.mu.Lock(); defer s.mu.Unlock(); return s.i }
func (s *countingSource) Close() error   { return nil }
func (s *countingSource) Name() string   { return "counting" }

// pixelIndex reads back the frame number written into the first pixel.
func pixelIndex(f Frame) int {
	v := f.Mat.GetVecbAt(0, 0)
	return int(v[0]) + 256*int(v[1])
}

func TestPumpSlowConsumerGetsNewest(t *testing.T) {
	src := &countingSource{n: 300, delay: time.Millisecond}
	slot := NewSlot()
	done := make(chan error, 1)
	go func() { done <- Pump(context.Background(), src, slot) }()

	var got []int
	finished := false
	for !finished {
		select {
		case f := <-slot:
			if pixelIndex(f) != f.Index {
				t.Fatalf("frame %d carries the picture of frame %d", f.Index, pixelIndex(f))
			}
			got = append(got, f.Index)
			f.Close()
			time.Sleep(20 * time.Millisecond) // a slow analyser
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			finished = true
		}
	}
	// Whatever is left in the slot must be the very last frame.
	select {
	case f := <-slot:
		got = append(got, f.Index)
		f.Close()
	default:
	}
	if len(got) == 0 || got[len(got)-1] != 299 {
		t.Fatalf("consumer did not end with the newest frame 299: %v", got)
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("frames out of order: %v", got)
		}
	}
	if len(got) > 100 {
		t.Fatalf("a consumer 20× slower than the source got %d of 300 frames: nothing was dropped", len(got))
	}
	t.Logf("slow consumer got %d of 300 frames: %v", len(got), got)
}

func TestPumpNewestAfterPause(t *testing.T) {
	src := &countingSource{n: -1}
	slot := NewSlot()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Pump(ctx, src, slot) }()
	time.Sleep(50 * time.Millisecond)
	// Frame produced-1 is in the slot, or being put there (then the slot
	// still holds produced-2); anything older means the newest did not win.
	produced := src.delivered()
	f := <-slot
	if produced < 10 {
		t.Fatalf("source produced only %d frames in 50 ms", produced)
	}
	if f.Index < produced-2 {
		t.Fatalf("after a pause got frame %d, but the source was already at %d", f.Index, produced)
	}
	f.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Pump after cancel = %v, want nil", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Pump did not stop after cancel")
	}
	DrainSlot(slot)
	if len(slot) != 0 {
		t.Fatal("DrainSlot left a frame")
	}
}

func TestPumpReturnsTerminalError(t *testing.T) {
	boom := errors.New("camera unplugged")
	src := &countingSource{n: 3, err: boom}
	slot := NewSlot()
	err := Pump(context.Background(), src, slot)
	if !errors.Is(err, boom) {
		t.Fatalf("Pump = %v, want %v", err, boom)
	}
	f := <-slot
	if f.Index != 2 {
		t.Fatalf("slot holds frame %d, want the last one (2)", f.Index)
	}
	f.Close()
}

func TestPumpSkipsItemErrorsOnRealFiles(t *testing.T) {
	grace := srcData(t, "misc/grace_hopper.jpg")
	bad := srcData(t, "bad/empty.jpg")
	clip := srcData(t, "clips/away-and-back.mp4")
	src, err := OpenPaths([]string{bad, grace, filepath.Join(t.TempDir(), "gone.png"), clip}, SourceOptions{FPS: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	slot := NewSlot()
	if err := Pump(context.Background(), src, slot); err != nil {
		t.Fatalf("Pump = %v; item errors must not stop it", err)
	}
	f := <-slot
	defer f.Close()
	requireBGR(t, f)
	if f.Source != clip || f.Offset < 38*time.Second {
		t.Fatalf("slot holds %s at %v, want the clip's last sample", f.Source, f.Offset)
	}
}
