package face

import (
	"errors"
	"fmt"
	"math"
)

// NumMeshPoints is the number of FaceMesh points.
const NumMeshPoints = 468

// meshValues is the length of FaceMesh's point output: 468 × (x, y, z).
const meshValues = NumMeshPoints * 3

// DefaultMinMeshScore is the presence score from which the library accepts
// a mesh: facemesh.ts rejects a mesh whose score is below
// face.detector.minConfidence (0.2; note it reuses the detector's setting).
const DefaultMinMeshScore = 0.2

// Mesh points this package uses (MediaPipe's canonical face-mesh indices).
// Right and left are the subject's (see the package comment).
const (
	MeshNoseTip       = 1
	MeshForehead      = 10 // top of the forehead on the midline
	MeshUpperLipInner = 13
	MeshRightEyeOuter = 33
	MeshRightEyeInner = 133
	MeshChin          = 152
	MeshBetweenEyes   = 168
	MeshRightCheek    = 234 // side of the face at eye level, image left
	MeshLeftEyeOuter  = 263
	MeshLeftEyeInner  = 362
	MeshLeftCheek     = 454 // image right
)

// ErrNonFinite reports NaN or infinite model output, or output that became
// infinite when mapped to source pixels. Treat the face as not found.
var ErrNonFinite = errors.New("face: model output is not finite")

// Mesh is a decoded FaceMesh result in source pixels.
type Mesh struct {
	// Points are the 468 mesh points; Z is relative depth in source pixels,
	// growing away from the camera.
	Points [NumMeshPoints]Point3
	// Score is the face presence probability (the graph's own sigmoid,
	// activation_1/Sigmoid), or 0 when the model gave NaN.
	Score float64
	// Crop is the crop the model ran on.
	Crop Crop
}

// DecodeMesh decodes FaceMesh's outputs for a model run on crop: points is
// the 1404-value point head (x, y, z in crop pixels, z on the same scale as
// x), score the 1-value presence head, already a probability. Points are
// mapped back through crop.ToSource and z is scaled by the same factor. The
// library's transformRawCoords does the same mapping, but skips the rotation
// when it is under 0.2 rad and truncates every coordinate to an integer;
// here nothing is rounded.
func DecodeMesh(points, score []float32, crop Crop) (Mesh, error) {
	if len(points) != meshValues {
		return Mesh{}, fmt.Errorf("face: mesh output has %d values, want %d: %w", len(points), meshValues, ErrOutputSize)
	}
	if len(score) != 1 {
		return Mesh{}, fmt.Errorf("face: mesh score output has %d values, want 1: %w", len(score), ErrOutputSize)
	}
	if crop.Size <= 0 || !(crop.Side > 0) || !finite(crop.Side) || !(crop.ToSource.Det() > 0) || !finite(crop.ToSource.Det()) {
		return Mesh{}, fmt.Errorf("face: mesh decoded with a crop not made by NewCrop: %+v", crop)
	}
	m := Mesh{Score: float64(score[0]), Crop: crop}
	if math.IsNaN(m.Score) {
		m.Score = 0
	}
	zScale := crop.Side / float64(crop.Size)
	for i := range m.Points {
		x, y, z := float64(points[3*i]), float64(points[3*i+1]), float64(points[3*i+2])
		p := crop.ToSource.Apply(Point{x, y})
		m.Points[i] = Point3{p.X, p.Y, z * zScale}
		if !m.Points[i].finite() {
			return Mesh{}, fmt.Errorf("face: mesh point %d (%v, %v, %v): %w", i, x, y, z, ErrNonFinite)
		}
	}
	return m, nil
}

// Accepted reports whether the presence score reaches minScore
// (DefaultMinMeshScore in the library).
func (m *Mesh) Accepted(minScore float64) bool { return m.Score >= minScore }

// Bounds is the axis-aligned bounding box of the mesh in source pixels.
func (m *Mesh) Bounds() Box {
	b := Box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range m.Points {
		b.MinX, b.MaxX = math.Min(b.MinX, p.X), math.Max(b.MaxX, p.X)
		b.MinY, b.MaxY = math.Min(b.MinY, p.Y), math.Max(b.MaxY, p.Y)
	}
	return b
}

// EyeCenters are the midpoints of each eye's corners (33/133 and 362/263)
// in the image plane: comparable to the detector's eye landmarks.
func (m *Mesh) EyeCenters() (right, left Point) {
	right = midpoint(m.Points[MeshRightEyeOuter].XY(), m.Points[MeshRightEyeInner].XY())
	left = midpoint(m.Points[MeshLeftEyeInner].XY(), m.Points[MeshLeftEyeOuter].XY())
	return right, left
}

// EyeDistance is the distance between the eye centres in source pixels,
// in the image plane (it shrinks as the head turns; it grows as the user
// leans in).
func (m *Mesh) EyeDistance() float64 {
	r, l := m.EyeCenters()
	return distance(r, l)
}

// EyeDistance3D is the distance between the eye centres in three
// dimensions (the mesh's depth is in the same scale as x and y). Unlike
// EyeDistance it does not shrink when the head turns, tilts or tips, so it
// measures how near the face is whatever its pose.
func (m *Mesh) EyeDistance3D() float64 {
	mid := func(a, b Point3) Point3 { return Point3{(a.X + b.X) / 2, (a.Y + b.Y) / 2, (a.Z + b.Z) / 2} }
	r := mid(m.Points[MeshRightEyeOuter], m.Points[MeshRightEyeInner])
	l := mid(m.Points[MeshLeftEyeInner], m.Points[MeshLeftEyeOuter])
	return r.sub3(l).length3()
}

// EyeDistance is the distance between the detector's eye landmarks in
// source pixels.
func (d Detection) EyeDistance() float64 {
	return distance(d.Landmarks[RightEye], d.Landmarks[LeftEye])
}
