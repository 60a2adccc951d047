package face

import (
	"fmt"
	"math"
)

// MeshInputSize is the side of FaceMesh's square input.
const MeshInputSize = 192

// RotationReference says which points give the crop's rotation.
type RotationReference int

const (
	// RotateMouthNose turns the mouth → nose line (detector) or the
	// mouth → between-the-eyes line (mesh points 13 → 168) upright: the
	// library's "symmetryLine" pairs in facemeshcoords.ts, used by its
	// correctFaceRotation when face.detector.rotation is on.
	RotateMouthNose RotationReference = iota
	// RotateEyes levels the eye line (detector eyes, or mesh outer eye
	// corners 33 → 263), as MediaPipe's own graphs do. Less affected by
	// yaw than the short mouth → nose line.
	RotateEyes
	// RotateNone keeps the crop axis-aligned: the library's default
	// (rotation: false), which loses strongly tilted heads.
	RotateNone
)

// CropOptions choose the crop around a face.
type CropOptions struct {
	// Scale multiplies the longer side of the reference box to get the
	// square crop's side.
	Scale    float64
	Rotation RotationReference
}

// DefaultDetectionCrop is the library's crop from a detection: the box
// enlarged ×1.4 (face.detector.scale through enlargeBox) and squared to its
// longer side (squarifyBox), here rotated so the face is upright.
func DefaultDetectionCrop() CropOptions {
	return CropOptions{Scale: 1.4, Rotation: RotateMouthNose}
}

// DefaultTrackingCrop is the crop from the previous frame's mesh: the
// mesh's extent in the face's upright frame ×1.5, MediaPipe's scale for a
// crop from landmarks. The library (calculateFaceBox) does not do this: it
// re-centres the previous crop on the mesh and keeps its size, so the crop
// never follows a face moving nearer or farther. Check the factor against
// the real model (see CropFromMesh).
func DefaultTrackingCrop() CropOptions {
	return CropOptions{Scale: 1.5, Rotation: RotateMouthNose}
}

// Crop is a square region of the source, possibly rotated, that is warped
// to a Size×Size model input with the face upright.
type Crop struct {
	Center Point   // source pixels
	Side   float64 // side of the square in source pixels
	// Angle in radians is how far the face's up direction is turned from
	// the image's up, positive clockwise on screen (top of the head towards
	// larger x). The crop is rotated by the same angle, so the face is
	// upright in it. This is the library's computeRotation angle.
	Angle float64
	Size  int // side of the model input in pixels

	// ToCrop maps source → crop and ToSource crop → source, both in
	// continuous coordinates; they are exact inverses.
	ToCrop, ToSource Affine
}

// NewCrop builds the crop of the given centre, side and angle for a
// size×size input. The source point for crop point u is
// Center + R(Angle)·(u − size/2)·Side/size, with R the rotation
// [cos −sin; sin cos] in y-down image coordinates; the crop's centre is the
// square's centre. Parts of the square outside the frame are filled by
// WarpAffine's border (constant 0 by default); nothing else needs doing.
func NewCrop(center Point, side, angle float64, size int) (Crop, error) {
	if !center.finite() || !finite(side) || side <= 0 || !finite(angle) || size <= 0 {
		return Crop{}, fmt.Errorf("face: invalid crop centre %v side %v angle %v size %d", center, side, angle, size)
	}
	k := side / float64(size) // source pixels per crop pixel
	h := float64(size) / 2
	cos, sin := math.Cos(angle), math.Sin(angle)
	toSource := Affine{
		k * cos, -k * sin, center.X - k*(cos*h-sin*h),
		k * sin, k * cos, center.Y - k*(sin*h+cos*h),
	}
	ik := 1 / k
	toCrop := Affine{
		ik * cos, ik * sin, h - ik*(cos*center.X+sin*center.Y),
		-ik * sin, ik * cos, h - ik*(-sin*center.X+cos*center.Y),
	}
	for _, v := range append(toSource[:], toCrop[:]...) {
		if !finite(v) {
			return Crop{}, fmt.Errorf("face: crop centre %v side %v is out of range", center, side)
		}
	}
	return Crop{Center: center, Side: side, Angle: angle, Size: size, ToCrop: toCrop, ToSource: toSource}, nil
}

// Scale is crop pixels per source pixel.
func (c Crop) Scale() float64 { return float64(c.Size) / c.Side }

// WarpMatrix is the source → crop matrix for gocv.WarpAffine with dsize
// Size×Size (pixel-index convention, see the package comment).
func (c Crop) WarpMatrix() Affine { return c.ToCrop.pixelCentered() }

// Corners are the crop's corners in source pixels: top-left, top-right,
// bottom-right, bottom-left of the upright crop.
func (c Crop) Corners() [4]Point {
	s := float64(c.Size)
	return [4]Point{
		c.ToSource.Apply(Point{0, 0}), c.ToSource.Apply(Point{s, 0}),
		c.ToSource.Apply(Point{s, s}), c.ToSource.Apply(Point{0, s}),
	}
}

// UprightAngle is the rotation that makes a face upright given a point low
// on its symmetry line and one higher up (mouth then nose): the library's
// computeRotation(low, high), π/2 − atan2(−Δy, Δx) normalised, which is
// atan2(Δx, −Δy).
func UprightAngle(low, high Point) float64 {
	d := high.sub(low)
	if d.X == 0 && d.Y == 0 {
		return 0
	}
	return math.Atan2(d.X, -d.Y)
}

// levelAngle is the rotation that levels a line from the face's right
// feature (image left) to its left one (image right): the face's up
// direction is perpendicular to it.
func levelAngle(right, left Point) float64 {
	d := left.sub(right)
	if d.X == 0 && d.Y == 0 {
		return 0
	}
	return math.Atan2(d.Y, d.X)
}

// CropFromDetection is the FaceMesh crop for a detection: centred on the
// detector box, side = opts.Scale × the box's longer side, rotated per
// opts.Rotation from the detector's landmarks. The library builds the same
// square (enlargeBox then squarifyBox, about the box centre) but rounds its
// corners to whole pixels; here it stays exact.
func CropFromDetection(d Detection, opts CropOptions) (Crop, error) {
	angle := 0.0
	switch opts.Rotation {
	case RotateMouthNose:
		angle = UprightAngle(d.Landmarks[Mouth], d.Landmarks[Nose])
	case RotateEyes:
		angle = levelAngle(d.Landmarks[RightEye], d.Landmarks[LeftEye])
	}
	side := opts.Scale * math.Max(d.Box.Width(), d.Box.Height())
	return NewCrop(d.Box.Center(), side, angle, MeshInputSize)
}

// CropFromMesh is the next frame's crop while tracking: rotated per
// opts.Rotation from mesh points, centred on the mesh's bounding box taken
// in that rotated (upright) frame, side = opts.Scale × the longer side of
// that box. Measuring the box upright keeps a tilted face from inflating
// it. With RotateNone this is the axis-aligned mesh bounding box centre
// that the library's calculateFaceBox/findFaceCenter uses.
func CropFromMesh(m *Mesh, opts CropOptions) (Crop, error) {
	angle := 0.0
	switch opts.Rotation {
	case RotateMouthNose:
		angle = UprightAngle(m.Points[MeshUpperLipInner].XY(), m.Points[MeshBetweenEyes].XY())
	case RotateEyes:
		angle = levelAngle(m.Points[MeshRightEyeOuter].XY(), m.Points[MeshLeftEyeOuter].XY())
	}
	cos, sin := math.Cos(angle), math.Sin(angle)
	// Coordinates along the face's own axes: u along "right" (image x when
	// upright), v along "down".
	minU, minV := math.Inf(1), math.Inf(1)
	maxU, maxV := math.Inf(-1), math.Inf(-1)
	for _, p := range m.Points {
		u := cos*p.X + sin*p.Y
		v := -sin*p.X + cos*p.Y
		minU, maxU = math.Min(minU, u), math.Max(maxU, u)
		minV, maxV = math.Min(minV, v), math.Max(maxV, v)
	}
	cu, cv := (minU+maxU)/2, (minV+maxV)/2
	center := Point{cos*cu - sin*cv, sin*cu + cos*cv}
	side := opts.Scale * math.Max(maxU-minU, maxV-minV)
	return NewCrop(center, side, angle, MeshInputSize)
}
