package face

import "math"

// Point is a 2-D position in pixels (see the package comment for the
// coordinate convention).
type Point struct{ X, Y float64 }

// Point3 is a mesh point: X and Y in pixels, Z the relative depth on the same
// scale, growing away from the camera.
type Point3 struct{ X, Y, Z float64 }

// XY drops the depth.
func (p Point3) XY() Point { return Point{p.X, p.Y} }

func (p Point) sub(q Point) Point        { return Point{p.X - q.X, p.Y - q.Y} }
func (p Point) scale(k float64) Point    { return Point{p.X * k, p.Y * k} }
func (p Point) dot(q Point) float64      { return p.X*q.X + p.Y*q.Y }
func midpoint(p, q Point) Point          { return Point{(p.X + q.X) / 2, (p.Y + q.Y) / 2} }
func distance(p, q Point) float64        { return math.Hypot(p.X-q.X, p.Y-q.Y) }
func finite(v float64) bool              { return !math.IsNaN(v) && !math.IsInf(v, 0) }
func (p Point) finite() bool             { return finite(p.X) && finite(p.Y) }
func (p Point3) finite() bool            { return finite(p.X) && finite(p.Y) && finite(p.Z) }
func (p Point3) sub3(q Point3) Point3    { return Point3{p.X - q.X, p.Y - q.Y, p.Z - q.Z} }
func (p Point3) length3() float64        { return math.Sqrt(p.X*p.X + p.Y*p.Y + p.Z*p.Z) }
func (p Point3) scale3(k float64) Point3 { return Point3{p.X * k, p.Y * k, p.Z * k} }

func cross(a, b Point3) Point3 {
	return Point3{a.Y*b.Z - a.Z*b.Y, a.Z*b.X - a.X*b.Z, a.X*b.Y - a.Y*b.X}
}

// Box is an axis-aligned rectangle in pixels.
type Box struct{ MinX, MinY, MaxX, MaxY float64 }

// Width of the box.
func (b Box) Width() float64 { return b.MaxX - b.MinX }

// Height of the box.
func (b Box) Height() float64 { return b.MaxY - b.MinY }

// Center of the box.
func (b Box) Center() Point { return Point{(b.MinX + b.MaxX) / 2, (b.MinY + b.MaxY) / 2} }

// Area of the box; zero for an empty or inverted box.
func (b Box) Area() float64 {
	w, h := b.Width(), b.Height()
	if w <= 0 || h <= 0 {
		return 0
	}
	return w * h
}

// IoU is the intersection over union of two boxes, 0 when either is empty.
// It matches TF.js's non-max-suppression overlap (corners taken as given,
// empty boxes overlap nothing).
func (b Box) IoU(o Box) float64 {
	ab, ao := b.Area(), o.Area()
	if ab <= 0 || ao <= 0 {
		return 0
	}
	iw := math.Min(b.MaxX, o.MaxX) - math.Max(b.MinX, o.MinX)
	ih := math.Min(b.MaxY, o.MaxY) - math.Max(b.MinY, o.MinY)
	if iw <= 0 || ih <= 0 {
		return 0
	}
	inter := iw * ih
	return inter / (ab + ao - inter)
}

// FrameFraction is the box's width and height as fractions of a frame's:
// how much of the picture the face fills (leaning in makes it grow).
func (b Box) FrameFraction(frameWidth, frameHeight int) (width, height float64) {
	if frameWidth <= 0 || frameHeight <= 0 {
		return 0, 0
	}
	return b.Width() / float64(frameWidth), b.Height() / float64(frameHeight)
}

// Affine is a 2×3 affine transform in row-major order, the layout of the
// matrix gocv.WarpAffine takes:
//
//	x' = m[0]·x + m[1]·y + m[2]
//	y' = m[3]·x + m[4]·y + m[5]
type Affine [6]float64

// Apply maps a point.
func (m Affine) Apply(p Point) Point {
	return Point{m[0]*p.X + m[1]*p.Y + m[2], m[3]*p.X + m[4]*p.Y + m[5]}
}

// Det is the determinant of the linear part: the factor by which areas grow.
func (m Affine) Det() float64 { return m[0]*m[4] - m[1]*m[3] }

// Invert returns the inverse transform; ok is false when m is singular or
// not finite.
func (m Affine) Invert() (inv Affine, ok bool) {
	det := m.Det()
	if det == 0 || !finite(det) {
		return Affine{}, false
	}
	a, b, d, e := m[4]/det, -m[1]/det, -m[3]/det, m[0]/det
	inv = Affine{a, b, -(a*m[2] + b*m[5]), d, e, -(d*m[2] + e*m[5])}
	for _, v := range inv {
		if !finite(v) {
			return Affine{}, false
		}
	}
	return inv, true
}

// pixelCentered converts a transform between continuous coordinates (pixel
// centres at i+0.5) into the same transform between pixel indices (centres
// at integers), which is what gocv.WarpAffine expects: index' + ½ = m(index + ½).
func (m Affine) pixelCentered() Affine {
	out := m
	out[2] += 0.5*(m[0]+m[1]) - 0.5
	out[5] += 0.5*(m[3]+m[4]) - 0.5
	return out
}
