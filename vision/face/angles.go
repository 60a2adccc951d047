package face

import "math"

// HeadAngles are head rotations in degrees, zero for an upright face looking
// straight at the camera (signs in the package comment: Roll > 0 ear on the
// image's right lower, Pitch > 0 chin up, Yaw > 0 face turned to the image's
// right).
//
// With x right, y down and z away from the camera, the rotation that takes
// the upright, camera-facing head to the observed one is
//
//	Rx(−Pitch) · Rz(Roll) · Ry(−Yaw)
//
// with Rx, Ry, Rz the usual right-handed axis rotations: yaw is applied
// first, in the head's own frame, pitch last. This is the library's
// angles.ts decomposition (geometrictools' Y-Z-X factorisation) with its
// pitch and yaw negated, so that chin up and turning to the image's right
// come out positive; its roll is kept.
type HeadAngles struct{ Roll, Pitch, Yaw float64 }

// AnglesFromPoints computes head angles from four points of a face in any
// consistent 3-D frame (x right, y down, z away from the camera, one scale
// for all three): top of the forehead, chin, and the sides of the face at
// eye level (subject's right, image left; subject's left, image right).
// ok is false when the points are degenerate.
//
// As in the library's calculateFaceAngle: y axis = forehead → chin, x axis
// = right side → left side, z = x × y, x re-made as y × z so the frame is
// orthonormal even when the two lines are not perpendicular; the rows of
// that frame form a rotation matrix, factored as Ry·Rz·Rx.
//
// Unlike the library, x, y and z keep one scale. The library divides x and y
// by (box side / 1.5) but z by the box side, stretching x and y by 1.5
// against depth, so its pitch and yaw come out near atan(tan(ours) / 1.5).
func AnglesFromPoints(forehead, chin, rightSide, leftSide Point3) (HeadAngles, bool) {
	y := chin.sub3(forehead)
	x := leftSide.sub3(rightSide)
	ly, lx := y.length3(), x.length3()
	if !(ly > 0) || !(lx > 0) || !finite(ly) || !finite(lx) {
		return HeadAngles{}, false
	}
	y, x = y.scale3(1/ly), x.scale3(1/lx)
	z := cross(x, y)
	lz := z.length3()
	if !(lz > 1e-9) {
		return HeadAngles{}, false
	}
	z = z.scale3(1 / lz)
	x = cross(y, z)

	// Matrix rows are the axes: r00 = x.X, r10 = y.X, r20 = z.X, r11 = y.Y,
	// r12 = y.Z. The library's guard for r10 = ±1 (gimbal lock) is covered
	// by atan2 with the cosine computed from the other entries.
	thetaZ := math.Atan2(y.X, math.Hypot(x.X, z.X))
	thetaY := math.Atan2(-z.X, x.X)
	thetaX := math.Atan2(-y.Z, y.Y)
	deg := 180 / math.Pi
	a := HeadAngles{Roll: -thetaZ * deg, Pitch: thetaX * deg, Yaw: thetaY * deg}
	if !finite(a.Roll) || !finite(a.Pitch) || !finite(a.Yaw) {
		return HeadAngles{}, false
	}
	return a, true
}

// Angles computes head angles from the mesh's points 10, 152, 234 and 454.
// Only meaningful for an accepted mesh. On upright people mesh pitch varies
// by tens of degrees with the camera's height below the eyes: compare it to
// a personal baseline, not to zero. Re-cropping moves the angles by a few
// degrees from frame to frame: smooth them.
func (m *Mesh) Angles() (HeadAngles, bool) {
	return AnglesFromPoints(m.Points[MeshForehead], m.Points[MeshChin], m.Points[MeshRightCheek], m.Points[MeshLeftCheek])
}

// A generic head for turning the detector's 2-D landmarks into rough
// angles, in units of the distance between the eye centres: the nose tip is
// 0.65 below the eye line and 0.35 in front of the eyes, the mouth centre
// 1.15 below and 0.15 in front. Average adult proportions (interpupillary distance
// about 63 mm, eye to nose tip about 40 mm, eye to mouth about 72 mm, nose
// tip about 22 mm ahead of the eyes), not fitted to BlazeFace's landmarks:
// the angles they give are rough and person-dependent.
const (
	genericNoseDrop   = 0.65
	genericNoseAhead  = 0.35
	genericMouthDrop  = 1.15
	genericMouthAhead = 0.15
)

// DetectorPose is what the detector's six landmarks say about the head
// when there is no accepted mesh (FaceMesh gives up on near-profile and
// strongly tipped-back faces, which the detector still finds).
type DetectorPose struct {
	// Roll in degrees from the eye line, same sign as HeadAngles.Roll.
	// Good to a few degrees on frontal faces; in profile the far eye is
	// guessed and roll is unreliable.
	Roll float64
	// NoseOffset is the nose tip's offset from the eye midpoint along the
	// eye line, in eye distances; > 0 towards the image's right, the sign
	// of Yaw. The strongest turn signal, and it still works near profile
	// where FaceMesh gives up (there it grows large as the eye distance
	// collapses). On the generic head it is 0.35·tan(yaw): 0.1 ≈ 16°,
	// 0.35 ≈ 45°; real thresholds need data.
	NoseOffset float64
	// EarBalance compares how far each ear sits outside its eye along the
	// eye line: (right gap − left gap) / (sum), > 0 when turned towards the
	// image's right. A second yaw cue; ear landmarks are guesses when hair
	// or the turn hides the ears.
	EarBalance float64
	// NoseDrop is the nose tip's distance below the eye line as a fraction
	// of the mouth's: about 0.57 on the generic head looking straight;
	// smaller when the chin goes up, larger when it goes down. Depends on
	// the person and the camera height: use against a baseline.
	NoseDrop float64
	// Yaw and Pitch are rough angles in degrees from NoseOffset and
	// NoseDrop through the generic head model above; same signs as
	// HeadAngles. Use their changes, not their values.
	Yaw, Pitch float64
}

// Pose derives the head pose cues from the detector's landmarks; ok is false
// when the eyes coincide.
func (d Detection) Pose() (DetectorPose, bool) {
	re, le := d.Landmarks[RightEye], d.Landmarks[LeftEye]
	eyeDist := distance(re, le)
	if !(eyeDist > 0) || !finite(eyeDist) {
		return DetectorPose{}, false
	}
	along := le.sub(re).scale(1 / eyeDist) // unit vector along the eye line, image left → right
	down := Point{-along.Y, along.X}       // perpendicular, towards the mouth for an upright face
	mid := midpoint(re, le)

	var p DetectorPose
	p.Roll = math.Atan2(along.Y, along.X) * 180 / math.Pi
	p.NoseOffset = d.Landmarks[Nose].sub(mid).dot(along) / eyeDist

	rightGap := re.sub(d.Landmarks[RightEar]).dot(along)
	leftGap := d.Landmarks[LeftEar].sub(le).dot(along)
	if s := rightGap + leftGap; s != 0 {
		p.EarBalance = (rightGap - leftGap) / s
	}

	noseDown := d.Landmarks[Nose].sub(mid).dot(down)
	mouthDown := d.Landmarks[Mouth].sub(mid).dot(down)
	if mouthDown != 0 {
		p.NoseDrop = noseDown / mouthDown
	}

	// Turning by yaw moves the nose tip sideways by ahead·sin(yaw) while
	// the eye distance shrinks by cos(yaw): offset = ahead·tan(yaw).
	p.Yaw = math.Atan(p.NoseOffset/genericNoseAhead) * 180 / math.Pi
	// Tipping by pitch (chin up > 0) moves a point at (drop, depth) to
	// drop·cos(pitch) − ahead·sin(pitch) below the eye line; solving
	// NoseDrop = (0.65c − 0.35s) / (1.15c − 0.15s) for tan(pitch). atan keeps
	// it within ±90°, beyond which the model has no sensible answer.
	r := p.NoseDrop
	p.Pitch = math.Atan((genericNoseDrop-r*genericMouthDrop)/(genericNoseAhead-r*genericMouthAhead)) * 180 / math.Pi
	for _, v := range []float64{p.Roll, p.NoseOffset, p.EarBalance, p.NoseDrop, p.Yaw, p.Pitch} {
		if !finite(v) {
			return DetectorPose{}, false
		}
	}
	return p, true
}
