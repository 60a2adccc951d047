package face

import (
	"math"
	"testing"
	"time"
)

func TestCropFromMeshUpright(t *testing.T) {
	m := meshOf(projectMesh(0, 0, 0, 2, 320, 240), 0.9)
	c, err := CropFromMesh(m, DefaultTrackingCrop())
	if err != nil {
		t.Fatal(err)
	}
	// Canonical extents x ±70, y −95…80: centre (0, −7.5), longer side 175.
	assertPoint(t, "centre", c.Center, Point{320, 240 - 15}, 1e-9)
	assertNear(t, "side", c.Side, 1.5*175*2, 1e-9)
	assertNear(t, "angle", c.Angle, 0, 1e-12)
	if c.Size != MeshInputSize {
		t.Errorf("Size = %d", c.Size)
	}
}

func TestCropFromMeshFollowsRollWithoutGrowing(t *testing.T) {
	up := meshOf(projectMesh(0, 0, 0, 2, 320, 240), 0.9)
	cu, _ := CropFromMesh(up, DefaultTrackingCrop())
	for _, roll := range []float64{-40, 25, 60} {
		m := meshOf(projectMesh(roll, 0, 0, 2, 320, 240), 0.9)
		for _, ref := range []RotationReference{RotateMouthNose, RotateEyes} {
			c, err := CropFromMesh(m, CropOptions{Scale: 1.5, Rotation: ref})
			if err != nil {
				t.Fatal(err)
			}
			assertNear(t, "angle", deg(c.Angle), roll, 1e-9)
			// Measured upright, the tilted face gets the same crop size as
			// the upright one, and its centre turns with the face.
			assertNear(t, "side", c.Side, cu.Side, 1e-9)
			s, co := math.Sin(rad(roll)), math.Cos(rad(roll))
			assertPoint(t, "centre", c.Center, Point{320 + 15*s, 240 - 15*co}, 1e-9)
		}
		// Without rotation: the library's axis-aligned bounding-box centre.
		c, err := CropFromMesh(m, CropOptions{Scale: 1.5, Rotation: RotateNone})
		if err != nil {
			t.Fatal(err)
		}
		b := m.Bounds()
		assertPoint(t, "axis-aligned centre", c.Center, b.Center(), 1e-9)
		assertNear(t, "axis-aligned side", c.Side, 1.5*math.Max(b.Width(), b.Height()), 1e-9)
	}
}

func TestCropFromMeshFollowsScale(t *testing.T) {
	// Leaning in: the tracked crop grows with the face (the library keeps
	// the old size).
	near1, _ := CropFromMesh(meshOf(projectMesh(0, 0, 0, 1, 320, 240), 1), DefaultTrackingCrop())
	near2, _ := CropFromMesh(meshOf(projectMesh(0, 0, 0, 2.5, 320, 240), 1), DefaultTrackingCrop())
	assertNear(t, "side ratio", near2.Side/near1.Side, 2.5, 1e-9)
}

func TestCropFromMeshDegenerate(t *testing.T) {
	if _, err := CropFromMesh(&Mesh{}, DefaultTrackingCrop()); err == nil {
		t.Error("all points equal: no error")
	}
}

func TestDropTracking(t *testing.T) {
	o := DefaultTrackOptions()
	good := meshOf(projectMesh(5, 0, 0, 1, 320, 240), 0.9)
	cases := []struct {
		name   string
		m      *Mesh
		frames int
		age    time.Duration
		want   DropReason
	}{
		{"healthy", good, 10, time.Second, KeepTracking},
		{"low score", meshOf(good.Points, 0.1), 0, 0, DropLowScore},
		{"NaN score", meshOf(good.Points, math.NaN()), 0, 0, DropLowScore},
		{"mostly off the right edge", meshOf(projectMesh(0, 0, 0, 1, 660, 240), 0.9), 0, 0, DropOutOfFrame},
		{"above the frame", meshOf(projectMesh(0, 0, 0, 1, 320, -100), 0.9), 0, 0, DropOutOfFrame},
		{"tiny", meshOf(projectMesh(0, 0, 0, 0.1, 320, 240), 0.9), 0, 0, DropTooSmall},
		{"99 frames", good, 99, 0, DropStale},
		{"2.5 s", good, 3, 2500 * time.Millisecond, DropStale},
	}
	for _, c := range cases {
		if got := o.DropTracking(c.m, 640, 480, c.frames, c.age); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	// Half out is still tracked at MinVisible 0.5 if at least half the
	// points are in: the face centred on the left edge is borderline, so
	// test well inside either way.
	if got := o.DropTracking(meshOf(projectMesh(0, 0, 0, 1, 30, 240), 0.9), 640, 480, 0, 0); got != KeepTracking {
		t.Errorf("mostly inside: %v", got)
	}
	o.MaxFrames, o.MaxAge = 0, 0
	if got := o.DropTracking(good, 640, 480, 1000, time.Hour); got != KeepTracking {
		t.Errorf("refresh disabled: %v", got)
	}
	for r := KeepTracking; r <= DropStale; r++ {
		if r.String() == "unknown" {
			t.Errorf("DropReason %d has no name", r)
		}
	}
}
