package face

import (
	"errors"
	"math"
	"testing"
)

// rawMesh encodes source-space points as FaceMesh would output them for a
// crop: crop pixels, z scaled by the crop's scale.
func rawMesh(pts [NumMeshPoints]Point3, c Crop) []float32 {
	raw := make([]float32, 3*NumMeshPoints)
	for i, p := range pts {
		u := c.ToCrop.Apply(p.XY())
		raw[3*i], raw[3*i+1], raw[3*i+2] = float32(u.X), float32(u.Y), float32(p.Z*c.Scale())
	}
	return raw
}

func TestDecodeMeshMapsBackThroughRotatedCrop(t *testing.T) {
	src := projectMesh(15, -8, 20, 1.1, 330, 250)
	c, err := NewCrop(Point{335, 240}, 260, rad(15), MeshInputSize)
	if err != nil {
		t.Fatal(err)
	}
	m, err := DecodeMesh(rawMesh(src, c), []float32{0.93}, c)
	if err != nil {
		t.Fatal(err)
	}
	// float32 crop coordinates (~1e-5 px) scaled up by 260/192.
	for i := range src {
		if !near(m.Points[i].X, src[i].X, 1e-3) || !near(m.Points[i].Y, src[i].Y, 1e-3) || !near(m.Points[i].Z, src[i].Z, 1e-3) {
			t.Fatalf("point %d = %v, want %v", i, m.Points[i], src[i])
		}
	}
	assertNear(t, "Score", m.Score, 0.93, 1e-6)
	if m.Crop != c {
		t.Error("Mesh.Crop is not the crop decoded with")
	}
	if !m.Accepted(DefaultMinMeshScore) {
		t.Error("score 0.93 not accepted")
	}
}

func TestDecodeMeshUnrotatedScalesAboutCentre(t *testing.T) {
	c, err := NewCrop(Point{100, 80}, 96, 0, MeshInputSize) // half a source pixel per crop pixel
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]float32, 1404)
	raw[0], raw[1], raw[2] = 96, 96, 10 // point 0 at the crop centre
	raw[3], raw[4], raw[5] = 0, 192, -4 // point 1 at the bottom-left corner
	m, err := DecodeMesh(raw, []float32{0.5}, c)
	if err != nil {
		t.Fatal(err)
	}
	if m.Points[0] != (Point3{100, 80, 5}) || m.Points[1] != (Point3{52, 128, -2}) {
		t.Errorf("points %v %v", m.Points[0], m.Points[1])
	}
}

func TestMeshAcceptanceThreshold(t *testing.T) {
	for _, c := range []struct {
		score float64
		ok    bool
	}{{0.2, true}, {0.19999, false}, {0.8, true}, {0, false}} {
		m := Mesh{Score: c.score}
		if m.Accepted(0.2) != c.ok {
			t.Errorf("Accepted(0.2) with score %v = %v", c.score, !c.ok)
		}
	}
}

func TestDecodeMeshErrors(t *testing.T) {
	c, _ := NewCrop(Point{100, 100}, 150, 0, MeshInputSize)
	good := make([]float32, 1404)
	if _, err := DecodeMesh(good[:1403], []float32{1}, c); !errors.Is(err, ErrOutputSize) {
		t.Errorf("short mesh: %v", err)
	}
	if _, err := DecodeMesh(append(good, 0), []float32{1}, c); !errors.Is(err, ErrOutputSize) {
		t.Errorf("long mesh: %v", err)
	}
	if _, err := DecodeMesh(good, nil, c); !errors.Is(err, ErrOutputSize) {
		t.Errorf("no score: %v", err)
	}
	if _, err := DecodeMesh(good, []float32{1}, Crop{}); err == nil {
		t.Error("zero Crop: no error")
	}
	bad := make([]float32, 1404)
	bad[3*200+2] = float32(math.NaN())
	if _, err := DecodeMesh(bad, []float32{1}, c); !errors.Is(err, ErrNonFinite) {
		t.Errorf("NaN point: %v", err)
	}
	bad[3*200+2] = float32(math.Inf(-1))
	if _, err := DecodeMesh(bad, []float32{1}, c); !errors.Is(err, ErrNonFinite) {
		t.Errorf("Inf point: %v", err)
	}
	m, err := DecodeMesh(good, []float32{float32(math.NaN())}, c)
	if err != nil || m.Score != 0 || m.Accepted(DefaultMinMeshScore) {
		t.Errorf("NaN score: score %v err %v, want 0 and rejected", m.Score, err)
	}
}

func TestFaceSizeHelpers(t *testing.T) {
	m := meshOf(projectMesh(0, 0, 0, 2, 320, 240), 1)
	// Canonical eye centres are (±30, −20): 60 units apart, ×2 px.
	assertNear(t, "mesh eye distance", m.EyeDistance(), 120, 1e-9)
	r, l := m.EyeCenters()
	if r.X >= l.X {
		t.Errorf("right eye centre %v should be left of left eye %v in the image", r, l)
	}
	b := m.Bounds()
	// Extents: cheeks ±70, forehead −95, chin 80.
	assertPoint(t, "bounds min", Point{b.MinX, b.MinY}, Point{320 - 140, 240 - 190}, 1e-9)
	assertPoint(t, "bounds max", Point{b.MaxX, b.MaxY}, Point{320 + 140, 240 + 160}, 1e-9)
	w, h := b.FrameFraction(640, 480)
	assertNear(t, "width fraction", w, 280.0/640, 1e-12)
	assertNear(t, "height fraction", h, 350.0/480, 1e-12)
	if w, h := b.FrameFraction(0, 480); w != 0 || h != 0 {
		t.Error("FrameFraction with a zero frame should be 0")
	}

	d := rotatedDetection(300, 200, 100, rad(30))
	assertNear(t, "detector eye distance", d.EyeDistance(), 50, 1e-9)
}

func TestEyeDistance3DIgnoresPose(t *testing.T) {
	flat := meshOf(projectMesh(0, 0, 0, 2, 320, 240), 1)
	want := flat.EyeDistance3D()
	if math.Abs(want-flat.EyeDistance()) > 1e-6 {
		t.Fatalf("frontal face: 3-D eye distance %.3f, image-plane %.3f", want, flat.EyeDistance())
	}
	for _, a := range [][3]float64{{0, 0, 40}, {0, -30, 0}, {45, 0, -25}} {
		m := meshOf(projectMesh(a[0], a[1], a[2], 2, 320, 240), 1)
		if got := m.EyeDistance3D(); math.Abs(got-want) > 1e-6*want {
			t.Errorf("roll/pitch/yaw %v: 3-D eye distance %.3f, want %.3f", a, got, want)
		}
		if a[2] != 0 && m.EyeDistance() > 0.95*want {
			t.Errorf("roll/pitch/yaw %v: the image-plane distance %.3f should shrink with the turn", a, m.EyeDistance())
		}
	}
}
