package face

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestCropAffineRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		c, err := NewCrop(Point{rng.Float64()*2000 - 500, rng.Float64()*2000 - 500},
			1+rng.Float64()*1500, (rng.Float64()*2-1)*math.Pi, MeshInputSize)
		if err != nil {
			t.Fatal(err)
		}
		inv, ok := c.ToCrop.Invert()
		if !ok {
			t.Fatal("ToCrop not invertible")
		}
		for i := range 6 {
			if !near(inv[i], c.ToSource[i], 1e-9*math.Max(1, math.Abs(c.ToSource[i]))) {
				t.Fatalf("ToCrop⁻¹ = %v, ToSource = %v", inv, c.ToSource)
			}
		}
		for range 10 {
			p := Point{rng.Float64()*3000 - 1000, rng.Float64()*3000 - 1000}
			assertPoint(t, "source→crop→source", c.ToSource.Apply(c.ToCrop.Apply(p)), p, 1e-9)
			u := Point{rng.Float64() * 192, rng.Float64() * 192}
			assertPoint(t, "crop→source→crop", c.ToCrop.Apply(c.ToSource.Apply(u)), u, 1e-9)
		}
		// ToCrop scales lengths by Size/Side and keeps orientation.
		assertNear(t, "det", c.ToCrop.Det(), c.Scale()*c.Scale(), 1e-12*c.Scale()*c.Scale())
	}
}

func TestCropCentreAndCorners(t *testing.T) {
	c, err := NewCrop(Point{300, 200}, 150, rad(30), MeshInputSize)
	if err != nil {
		t.Fatal(err)
	}
	assertPoint(t, "crop centre → source", c.ToSource.Apply(Point{96, 96}), Point{300, 200}, 1e-12)
	assertPoint(t, "source centre → crop", c.ToCrop.Apply(Point{300, 200}), Point{96, 96}, 1e-12)
	corners := c.Corners()
	for i := range 4 {
		assertNear(t, "side length", distance(corners[i], corners[(i+1)%4]), 150, 1e-9)
	}
	// The crop's top edge runs along the rotated x axis (cos 30°, sin 30°).
	top := corners[1].sub(corners[0])
	assertNear(t, "top edge angle", deg(math.Atan2(top.Y, top.X)), 30, 1e-9)
}

// rotatedDetection is an upright face's detection around (cx, cy), turned
// clockwise on screen by angle (radians) about its box centre.
func rotatedDetection(cx, cy, size, angle float64) Detection {
	lm := [6]Point{{-0.25, -0.2}, {0.25, -0.2}, {0, 0.05}, {0, 0.3}, {-0.5, -0.05}, {0.5, -0.05}}
	cos, sin := math.Cos(angle), math.Sin(angle)
	d := Detection{Box: Box{cx - size/2, cy - size/2, cx + size/2, cy + size/2}, Score: 0.9}
	for i, p := range lm {
		d.Landmarks[i] = Point{cx + size*(cos*p.X-sin*p.Y), cy + size*(sin*p.X+cos*p.Y)}
	}
	return d
}

func TestCropFromRotatedDetection(t *testing.T) {
	for _, a := range []float64{-70, -35, -10, 0, 5, 25, 60, 120} {
		d := rotatedDetection(400, 260, 100, rad(a))
		for _, ref := range []RotationReference{RotateMouthNose, RotateEyes} {
			c, err := CropFromDetection(d, CropOptions{Scale: 1.4, Rotation: ref})
			if err != nil {
				t.Fatal(err)
			}
			assertNear(t, "crop angle (deg)", deg(c.Angle), a, 1e-9)
			assertNear(t, "side", c.Side, 140, 1e-9)
			assertPoint(t, "centre", c.ToSource.Apply(Point{96, 96}), d.Box.Center(), 1e-9)
			// In the crop the face is upright: nose straight above the
			// mouth, eyes level with the right eye on the left.
			nose, mouth := c.ToCrop.Apply(d.Landmarks[Nose]), c.ToCrop.Apply(d.Landmarks[Mouth])
			re, le := c.ToCrop.Apply(d.Landmarks[RightEye]), c.ToCrop.Apply(d.Landmarks[LeftEye])
			assertNear(t, "nose x − mouth x", nose.X-mouth.X, 0, 1e-9)
			if nose.Y >= mouth.Y || re.X >= le.X {
				t.Errorf("angle %v: face not upright in crop: nose %v mouth %v eyes %v %v", a, nose, mouth, re, le)
			}
			assertNear(t, "eye y difference", re.Y-le.Y, 0, 1e-9)
		}
	}
}

func TestCropRotationNoneAndScale(t *testing.T) {
	d := rotatedDetection(100, 100, 80, rad(40))
	d.Box = Box{60, 50, 140, 170} // 80×120: the longer side decides
	c, err := CropFromDetection(d, CropOptions{Scale: 1.4, Rotation: RotateNone})
	if err != nil {
		t.Fatal(err)
	}
	assertNear(t, "angle", c.Angle, 0, 0)
	assertNear(t, "side", c.Side, 168, 1e-12)
	assertPoint(t, "centre", c.Center, Point{100, 110}, 0)
	// Axis-aligned: the crop's top-left is the square's top-left.
	assertPoint(t, "top-left", c.ToSource.Apply(Point{0, 0}), Point{16, 26}, 1e-12)
	if c.Size != MeshInputSize {
		t.Errorf("Size = %d", c.Size)
	}
}

func TestCropExtendingBeyondFrameIsStillExact(t *testing.T) {
	// A face at the frame's corner: the crop reaches into negative
	// coordinates; the mapping stays exact (the warp pads those pixels).
	d := rotatedDetection(10, 15, 120, rad(-20))
	c, err := CropFromDetection(d, DefaultDetectionCrop())
	if err != nil {
		t.Fatal(err)
	}
	tl := c.ToSource.Apply(Point{0, 0})
	if tl.X >= 0 && tl.Y >= 0 {
		t.Fatalf("expected the crop to leave the frame, top-left %v", tl)
	}
	assertPoint(t, "round trip outside", c.ToSource.Apply(c.ToCrop.Apply(Point{-50, -70})), Point{-50, -70}, 1e-9)
}

func TestCropWarpMatrixIsPixelCentred(t *testing.T) {
	c, err := NewCrop(Point{321.5, 187.25}, 173, rad(-17), MeshInputSize)
	if err != nil {
		t.Fatal(err)
	}
	w := c.WarpMatrix()
	for _, p := range []Point{{0, 0}, {321.5, 187.25}, {400, 100}} {
		idx := w.Apply(Point{p.X - 0.5, p.Y - 0.5})
		assertPoint(t, "WarpMatrix", Point{idx.X + 0.5, idx.Y + 0.5}, c.ToCrop.Apply(p), 1e-9)
	}
}

func TestUprightAngleMatchesLibraryFormula(t *testing.T) {
	// The library: normalizeRadians(π/2 − atan2(−(p2.y − p1.y), p2.x − p1.x)).
	library := func(p1, p2 Point) float64 {
		a := math.Pi/2 - math.Atan2(-(p2.Y-p1.Y), p2.X-p1.X)
		return a - 2*math.Pi*math.Floor((a+math.Pi)/(2*math.Pi))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 1000 {
		p1 := Point{rng.Float64() * 100, rng.Float64() * 100}
		p2 := Point{rng.Float64() * 100, rng.Float64() * 100}
		got, want := UprightAngle(p1, p2), library(p1, p2)
		d := math.Remainder(got-want, 2*math.Pi)
		if math.Abs(d) > 1e-12 {
			t.Fatalf("UprightAngle(%v, %v) = %v, library %v", p1, p2, got, want)
		}
	}
	if UprightAngle(Point{1, 1}, Point{1, 1}) != 0 {
		t.Error("coincident points should give 0")
	}
}

func TestCropRejectsDegenerate(t *testing.T) {
	if _, err := CropFromDetection(Detection{}, DefaultDetectionCrop()); err == nil {
		t.Error("empty detection: no error")
	}
	for _, c := range []struct {
		side, angle float64
		size        int
	}{{0, 0, 192}, {-5, 0, 192}, {math.NaN(), 0, 192}, {10, math.Inf(1), 192}, {10, 0, 0}, {1e-320, 0, 192}} {
		if _, err := NewCrop(Point{0, 0}, c.side, c.angle, c.size); err == nil {
			t.Errorf("NewCrop(side %v, angle %v, size %d): no error", c.side, c.angle, c.size)
		}
	}
}
