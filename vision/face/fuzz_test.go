package face

import (
	"cmp"
	"encoding/binary"
	"math"
	"slices"
	"testing"
)

// floatsFrom fills n float32s by cycling over data's 4-byte words, so any
// byte pattern (NaN, Inf, subnormals, huge values) reaches the decoders.
func floatsFrom(data []byte, n, offset int) []float32 {
	out := make([]float32, n)
	words := len(data) / 4
	if words == 0 {
		return out
	}
	for i := range out {
		w := (i + offset) % words
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*w:]))
	}
	return out
}

func float32Bytes(vs ...float32) []byte {
	b := make([]byte, 0, 4*len(vs))
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

func FuzzDecodeDetections(f *testing.F) {
	f.Add([]byte{}, 640, 480, uint8(0))
	f.Add(float32Bytes(3, 1, -2, 40, 30, -10, -8, 10, -8, 0, 4, 0, 16, -22, -2, 22), 480, 640, uint8(1))
	f.Add(float32Bytes(float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 3e38), 1920, 1080, uint8(2))
	f.Add(float32Bytes(100, -100, 1e-45, 0), 1, 1, uint8(3))
	f.Add(float32Bytes(5, 5, 5), 0, -3, uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, w, h int, mode uint8) {
		// Odd modes decode a canvas fitted to the frame (as the live path
		// does), even ones the 256² square.
		lb, err := NewLetterbox(w%5000, h%5000, DetectorInputSize)
		if mode%2 == 1 {
			lb, err = NewFittedLetterbox(w%5000, h%5000, DetectorInputSize, DetectorStride)
		}
		if err != nil {
			lb = Letterbox{SourceWidth: w, SourceHeight: h, Width: int(mode), Height: int(mode) / 2, ResizedWidth: int(mode) / 2, ResizedHeight: int(mode) / 3}
		}
		c16 := max(0, lb.Width/16) * max(0, lb.Height/16)
		c8 := max(0, lb.Width/32) * max(0, lb.Height/32)
		lens := [4]int{2 * c16, 32 * c16, 6 * c8, 96 * c8}
		if mode%5 == 4 { // exercise the length check
			lens[int(mode/5)%4] = max(0, lens[int(mode/5)%4]-1-int(mode/20))
		}
		s16 := floatsFrom(data, lens[0], 0)
		b16 := floatsFrom(data, lens[1], 1)
		s8 := floatsFrom(data, lens[2], 2)
		b8 := floatsFrom(data, lens[3], 3)
		opts := DefaultDetectOptions()
		opts.MaxFaces = int(mode % 6)
		dets, err := DecodeDetections(s16, b16, s8, b8, lb, opts)
		if err != nil {
			return
		}
		if opts.MaxFaces > 0 && len(dets) > opts.MaxFaces {
			t.Fatalf("%d detections, MaxFaces %d", len(dets), opts.MaxFaces)
		}
		if !slices.IsSortedFunc(dets, func(a, b Detection) int { return -cmp.Compare(a.Score, b.Score) }) {
			t.Fatal("not sorted by score")
		}
		for _, d := range dets {
			if !(d.Score > opts.MinScore && d.Score <= 1) || !finite(d.Box.Area()) || !d.Box.Center().finite() {
				t.Fatalf("bad detection %+v", d)
			}
			for _, p := range d.Landmarks {
				if !p.finite() {
					t.Fatalf("non-finite landmark in %+v", d)
				}
			}
			// Everything downstream of a detection must not panic either.
			_, _ = d.Pose()
			_ = d.EyeDistance()
			for _, ref := range []RotationReference{RotateMouthNose, RotateEyes, RotateNone} {
				if c, err := CropFromDetection(d, CropOptions{Scale: 1.4, Rotation: ref}); err == nil {
					_ = c.WarpMatrix()
				}
			}
		}
	})
}

func FuzzDecodeMesh(f *testing.F) {
	f.Add([]byte{}, 320.0, 240.0, 200.0, 0.3, float32(0.9))
	f.Add(float32Bytes(96, 96, 0, 10, 20, -5), 0.0, 0.0, 1.0, -3.0, float32(0.1))
	f.Add(float32Bytes(float32(math.NaN()), 1, 2), 1e300, -1e300, 1e-300, 1e10, float32(math.NaN()))
	f.Add(float32Bytes(3e38, -3e38, 3e38), 5.0, 5.0, 1e300, 0.0, float32(math.Inf(1)))
	f.Fuzz(func(t *testing.T, data []byte, cx, cy, side, angle float64, score float32) {
		raw := floatsFrom(data, 1404, 0)
		c, err := NewCrop(Point{cx, cy}, side, angle, MeshInputSize)
		if err != nil {
			// An unusable crop must be refused, not decoded with.
			if _, err := DecodeMesh(raw, []float32{score}, Crop{Side: side, Size: MeshInputSize}); err == nil {
				t.Fatal("decoded with a crop that has no transform")
			}
			return
		}
		m, err := DecodeMesh(raw, []float32{score}, c)
		if err != nil {
			return
		}
		for i, p := range m.Points {
			if !p.finite() {
				t.Fatalf("point %d not finite: %v", i, p)
			}
		}
		if math.IsNaN(m.Score) {
			t.Fatal("NaN score")
		}
		if a, ok := m.Angles(); ok && !(finite(a.Roll) && finite(a.Pitch) && finite(a.Yaw)) {
			t.Fatalf("non-finite angles %+v", a)
		}
		_ = m.EyeDistance()
		_ = DefaultTrackOptions().DropTracking(&m, 640, 480, 0, 0)
		for _, ref := range []RotationReference{RotateMouthNose, RotateEyes, RotateNone} {
			_, _ = CropFromMesh(&m, CropOptions{Scale: 1.5, Rotation: ref})
		}
	})
}
