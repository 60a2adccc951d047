package face

import (
	"math"
	"testing"
)

// heads are synthetic detector outputs laid out as the brief specifies
// (NCHW without batch), written independently of the decoder's indexing.
type heads struct{ s16, b16, s8, b8 []float32 }

// newHeads returns heads where every anchor has the given logit and zero
// regressions.
func newHeads(logit float32) heads {
	h := heads{
		s16: make([]float32, 2*16*16), b16: make([]float32, 32*16*16),
		s8: make([]float32, 6*8*8), b8: make([]float32, 96*8*8),
	}
	for i := range h.s16 {
		h.s16[i] = logit
	}
	for i := range h.s8 {
		h.s8[i] = logit
	}
	return h
}

// set writes one anchor's logit and 16 values. Anchors 0…511 are the 16×16
// head, index (y·16+x)·2+a; 512…895 the 8×8 head, index 512+(y·8+x)·6+a.
func (h heads) set(anchor int, logit float32, v [16]float32) {
	grid, per, idx, scores, boxes := 16, 2, anchor, h.s16, h.b16
	if anchor >= 512 {
		grid, per, idx, scores, boxes = 8, 6, anchor-512, h.s8, h.b8
	}
	a, cell := idx%per, idx/per
	plane := grid * grid
	scores[a*plane+cell] = logit
	for j, x := range v {
		boxes[(a*16+j)*plane+cell] = x
	}
}

func (h heads) decode(t *testing.T, lb Letterbox, opts DetectOptions) []Detection {
	t.Helper()
	dets, err := DecodeDetections(h.s16, h.b16, h.s8, h.b8, lb, opts)
	if err != nil {
		t.Fatalf("DecodeDetections: %v", err)
	}
	return dets
}

func mustLetterbox(t *testing.T, w, h int) Letterbox {
	t.Helper()
	lb, err := NewLetterbox(w, h, DetectorInputSize)
	if err != nil {
		t.Fatal(err)
	}
	return lb
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func assertPoint(t *testing.T, name string, got, want Point, tol float64) {
	t.Helper()
	if !near(got.X, want.X, tol) || !near(got.Y, want.Y, tol) {
		t.Errorf("%s = (%.9g, %.9g), want (%.9g, %.9g) ±%g", name, got.X, got.Y, want.X, want.Y, tol)
	}
}

func assertNear(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if !near(got, want, tol) {
		t.Errorf("%s = %.9g, want %.9g ±%g", name, got, want, tol)
	}
}

func deg(r float64) float64 { return r * 180 / math.Pi }
func rad(d float64) float64 { return d * math.Pi / 180 }

// rot3 is a 3×3 rotation in x right, y down, z away from the camera.
type rot3 [3][3]float64

func (r rot3) mul(o rot3) (out rot3) {
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				out[i][j] += r[i][k] * o[k][j]
			}
		}
	}
	return out
}

func (r rot3) apply(p Point3) Point3 {
	return Point3{
		r[0][0]*p.X + r[0][1]*p.Y + r[0][2]*p.Z,
		r[1][0]*p.X + r[1][1]*p.Y + r[1][2]*p.Z,
		r[2][0]*p.X + r[2][1]*p.Y + r[2][2]*p.Z,
	}
}

func rotX(a float64) rot3 {
	c, s := math.Cos(a), math.Sin(a)
	return rot3{{1, 0, 0}, {0, c, -s}, {0, s, c}}
}

func rotY(a float64) rot3 {
	c, s := math.Cos(a), math.Sin(a)
	return rot3{{c, 0, s}, {0, 1, 0}, {-s, 0, c}}
}

func rotZ(a float64) rot3 {
	c, s := math.Cos(a), math.Sin(a)
	return rot3{{c, -s, 0}, {s, c, 0}, {0, 0, 1}}
}

// headRotation is the documented composition for angles in degrees:
// Rx(−pitch)·Rz(roll)·Ry(−yaw).
func headRotation(roll, pitch, yaw float64) rot3 {
	return rotX(-rad(pitch)).mul(rotZ(rad(roll))).mul(rotY(-rad(yaw)))
}

// canonicalFace gives the mesh points this package uses, for an upright
// head facing the camera, in millimetres-like units around the face
// centre (x right, y down, z away from the camera). The forehead and chin
// share a depth and the cheeks share a height and depth, so the canonical
// angles are exactly zero.
var canonicalFace = map[int]Point3{
	MeshForehead:      {0, -95, 10},
	MeshChin:          {0, 80, 10},
	MeshRightCheek:    {-70, -20, 30},
	MeshLeftCheek:     {70, -20, 30},
	MeshRightEyeOuter: {-45, -20, 8},
	MeshRightEyeInner: {-15, -20, 5},
	MeshLeftEyeInner:  {15, -20, 5},
	MeshLeftEyeOuter:  {45, -20, 8},
	MeshBetweenEyes:   {0, -20, -5},
	MeshNoseTip:       {0, 20, -25},
	MeshUpperLipInner: {0, 48, -10},
}

// mirrorIndex swaps the subject's left and right for the points we use.
var mirrorIndex = map[int]int{
	MeshRightCheek: MeshLeftCheek, MeshLeftCheek: MeshRightCheek,
	MeshRightEyeOuter: MeshLeftEyeOuter, MeshLeftEyeOuter: MeshRightEyeOuter,
	MeshRightEyeInner: MeshLeftEyeInner, MeshLeftEyeInner: MeshRightEyeInner,
}

// canonicalMesh fills all 468 points: the named ones from canonicalFace and
// the rest spread strictly inside the face oval (within the extents set by
// the forehead, chin and cheeks), so bounding boxes are predictable.
func canonicalMesh() [NumMeshPoints]Point3 {
	var pts [NumMeshPoints]Point3
	for i := range pts {
		if p, ok := canonicalFace[i]; ok {
			pts[i] = p
			continue
		}
		// A spiral inside an ellipse of half-axes 60 × 75 around (0, −7.5).
		t := float64(i) / NumMeshPoints
		a := float64(i) * 2.399963 // golden angle
		r := math.Sqrt(t) * 0.95
		pts[i] = Point3{60 * r * math.Cos(a), -7.5 + 75*r*math.Sin(a), 20 * r * r}
	}
	return pts
}

// projectMesh rotates the canonical mesh by the head angles and projects it
// orthographically into a frame: x, y scaled by s px/unit and placed at
// (cx, cy); z keeps the same scale, as FaceMesh's relative depth does.
func projectMesh(roll, pitch, yaw, s, cx, cy float64) [NumMeshPoints]Point3 {
	r := headRotation(roll, pitch, yaw)
	var out [NumMeshPoints]Point3
	for i, p := range canonicalMesh() {
		q := r.apply(p)
		out[i] = Point3{cx + s*q.X, cy + s*q.Y, s * q.Z}
	}
	return out
}

func meshOf(points [NumMeshPoints]Point3, score float64) *Mesh {
	return &Mesh{Points: points, Score: score}
}
