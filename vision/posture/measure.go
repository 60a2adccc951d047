// Package posture turns body keypoints into scale-free posture metrics and
// named faults. It is pure Go (no gocv) so the judgement can be tested and
// tuned without a camera or a model.
package posture

import (
	"math"
	"posturewatch/coach/domain"
	"sort"
)

// COCO-17 keypoint indices used here.
const (
	Nose = iota
	LeftEye
	RightEye
	LeftEar
	RightEar
	LeftShoulder
	RightShoulder
)

// Visibility thresholds. MoveNet places every keypoint somewhere, also parts
// outside the frame (with lower scores, often near the border), so a part
// counts as seen only with a good score and away from the frame's edge.
const (
	// MinScore is MoveNet's customary keypoint confidence cut (0.3 in the
	// reference demos); our frames show heads at 0.5–0.9 and hidden parts
	// below 0.25.
	MinScore = 0.3
	// EdgeMargin is the fraction of the frame height within which a shoulder
	// keypoint is treated as guessed rather than seen (notes: shoulders that
	// leave the frame land near the bottom corners).
	EdgeMargin = 0.02
)

// Point is a 2-D position in source pixels.
type Point struct{ X, Y float64 }

func mid(a, b Point) Point    { return Point{(a.X + b.X) / 2, (a.Y + b.Y) / 2} }
func dist(a, b Point) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }

// Measurement is what one frame's keypoints say, before any judgement.
type Measurement struct {
	W, H    int
	Metrics domain.Metrics
	// Seen flags per part.
	Nose, Eyes, Ears, LeftEar, RightEar, Shoulders bool
	// ShouldersOut is true when the shoulders are below or at the frame's
	// edge (leaning in so close that they leave the picture).
	ShouldersOut bool
	// HeadScore is the mean of the three best scores among nose, eyes and
	// ears (a face turned or tipped still shows three of the five);
	// Confidence the mean score of the head and shoulder keypoints seen.
	HeadScore, Confidence float64
	// SizeFrame is the head's scale (eye distance, or its equivalent from
	// the shoulders or ears) against the frame width: how near the person is.
	SizeFrame float64
	// FaceWidth in pixels (eye distance, see faceWidth), 0 when unknown.
	FaceWidth float64
}

// Visible lists the parts that were seen, for Observation.Visible.
func (m Measurement) Visible() []string {
	var v []string
	for _, p := range []struct {
		ok   bool
		name string
	}{{m.Nose, "nose"}, {m.Eyes, "eyes"}, {m.Ears, "ears"}, {m.Shoulders, "shoulders"}} {
		if p.ok {
			v = append(v, p.name)
		}
	}
	return v
}

// Measure computes the metrics of one frame of size w×h.
func Measure(kps []domain.Keypoint, w, h int) Measurement {
	m := Measurement{W: w, H: h, Metrics: domain.Metrics{}}
	if len(kps) < 7 || w <= 0 || h <= 0 {
		return m
	}
	pt := func(i int) Point { return Point{kps[i].X, kps[i].Y} }
	inside := func(i int, margin float64) bool {
		p := pt(i)
		mx, my := margin*float64(w), margin*float64(h)
		return p.X >= mx && p.X <= float64(w)-mx && p.Y >= my && p.Y <= float64(h)-my
	}
	seen := func(i int) bool { return kps[i].Score >= MinScore && inside(i, 0) }

	m.Nose = seen(Nose)
	m.Eyes = seen(LeftEye) && seen(RightEye)
	m.LeftEar, m.RightEar = seen(LeftEar), seen(RightEar)
	m.Ears = m.LeftEar && m.RightEar
	lsIn, rsIn := kps[LeftShoulder].Score >= MinScore && inside(LeftShoulder, EdgeMargin),
		kps[RightShoulder].Score >= MinScore && inside(RightShoulder, EdgeMargin)
	m.Shoulders = lsIn && rsIn
	m.HeadScore = headScore(kps)
	m.SizeFrame = sizeFrame(kps, m, w)
	var cs float64
	var cn int
	for i := Nose; i <= RightShoulder; i++ {
		if kps[i].Score >= MinScore {
			cs += kps[i].Score
			cn++
		}
	}
	if cn > 0 {
		m.Confidence = cs / float64(cn)
	}
	if !m.Eyes {
		return m
	}

	fw, fh := float64(w), float64(h)
	le, re, nose := pt(LeftEye), pt(RightEye), pt(Nose)
	eyeMid := mid(le, re)
	face := faceWidth(kps, m)
	if face <= 0 {
		return m
	}
	m.FaceWidth = face
	M := m.Metrics
	M[domain.MetricFaceFrame] = face / fw
	M[domain.MetricEyeHeight] = eyeMid.Y / fh

	// Head roll: the eye line's angle; the ear line when both ears are
	// seen too (longer baseline, less noise). Positive = the image-right
	// side lower (the person's left ear toward the left shoulder when the
	// picture is not mirrored).
	roll := angleDeg(re, le)
	if m.Ears {
		roll = (roll + angleDeg(pt(RightEar), pt(LeftEar))) / 2
	}
	M[domain.MetricHeadRoll] = roll

	// Head yaw: the nose's sideways offset from the eye midpoint, measured
	// along the eye line, by eye distance. Ears, when both seen, lever it.
	if m.Nose && m.Eyes {
		ed := dist(le, re)
		ux, uy := (le.X-re.X)/ed, (le.Y-re.Y)/ed // unit along the eye line, image-right positive
		off := (nose.X-eyeMid.X)*ux + (nose.Y-eyeMid.Y)*uy
		yaw := off / ed
		if m.Ears {
			earMid := mid(pt(LeftEar), pt(RightEar))
			eo := ((nose.X-earMid.X)*ux + (nose.Y-earMid.Y)*uy) / ed
			// The ears sit ~9 cm behind the eyes, so their offset is about 3× larger.
			yaw = (yaw + eo/3) / 2
		}
		M[domain.MetricHeadYaw] = yaw

		// Face height: eye line to nose tip, perpendicular to the eye line,
		// by eye distance. It shrinks when the head tips back and grows when
		// it tips down (foreshortening of the eye–nose vector).
		vx, vy := -uy, ux // perpendicular, pointing down the face
		M[domain.MetricFaceHeight] = ((nose.X-eyeMid.X)*vx + (nose.Y-eyeMid.Y)*vy) / ed

		// Pitch: nose height above the ear line, by face width. Up when the
		// chin lifts, down when looking down.
		if ear, ok := earLine(kps, m); ok {
			M[domain.MetricHeadPitch] = (ear.Y - nose.Y) / face
		}
	}

	if m.Shoulders || (lsIn || rsIn) && kps[LeftShoulder].Score >= MinScore && kps[RightShoulder].Score >= MinScore {
		ls, rs := pt(LeftShoulder), pt(RightShoulder)
		sw := dist(ls, rs)
		sm := mid(ls, rs)
		M[domain.MetricShoulderHeight] = sm.Y / fh
		if m.Shoulders && sw > 0 {
			M[domain.MetricShoulderFace] = sw / face
			M[domain.MetricFaceShoulder] = face / sw
			M[domain.MetricShoulderTilt] = angleDeg(rs, ls)
			head := eyeMid
			if ear, ok := earLine(kps, m); ok {
				head = ear
			}
			M[domain.MetricNeckLength] = (sm.Y - head.Y) / sw
			M[domain.MetricNeckFace] = (sm.Y - head.Y) / face
		}
	}
	m.ShouldersOut = !m.Shoulders && shouldersBelow(kps, w, h)
	return m
}

// faceWidth is the head's scale in pixels: the eye distance corrected for
// yaw by the ears when both are seen. Eye distance is the steadiest frontal
// length MoveNet gives (ears hide behind hair and turn out of view).
func faceWidth(kps []domain.Keypoint, m Measurement) float64 {
	if !m.Eyes {
		return 0
	}
	return math.Hypot(kps[LeftEye].X-kps[RightEye].X, kps[LeftEye].Y-kps[RightEye].Y)
}

func headScore(kps []domain.Keypoint) float64 {
	s := []float64{kps[Nose].Score, kps[LeftEye].Score, kps[RightEye].Score, kps[LeftEar].Score, kps[RightEar].Score}
	sort.Sort(sort.Reverse(sort.Float64Slice(s)))
	return (s[0] + s[1] + s[2]) / 3
}

// Typical adult proportions against the eye distance (≈ 6.3 cm), to size a
// head whose eyes are not both seen: shoulder breadth ≈ 4.5 eye widths (the
// slouch-or-not and neck-forward frames give 4.0–5.2), ear to ear ≈ 2.2.
const (
	shouldersPerEye = 4.5
	earsPerEye      = 2.2
)

func sizeFrame(kps []domain.Keypoint, m Measurement, w int) float64 {
	d := func(a, b int) float64 { return math.Hypot(kps[a].X-kps[b].X, kps[a].Y-kps[b].Y) }
	switch {
	case m.Eyes:
		return d(LeftEye, RightEye) / float64(w)
	case m.Ears:
		return d(LeftEar, RightEar) / earsPerEye / float64(w)
	case kps[LeftShoulder].Score >= MinScore && kps[RightShoulder].Score >= MinScore:
		return d(LeftShoulder, RightShoulder) / shouldersPerEye / float64(w)
	}
	return 0
}

// earLine is the ear midpoint (both ears) or the one seen ear.
func earLine(kps []domain.Keypoint, m Measurement) (Point, bool) {
	switch {
	case m.Ears:
		return mid(Point{kps[LeftEar].X, kps[LeftEar].Y}, Point{kps[RightEar].X, kps[RightEar].Y}), true
	case m.LeftEar:
		return Point{kps[LeftEar].X, kps[LeftEar].Y}, true
	case m.RightEar:
		return Point{kps[RightEar].X, kps[RightEar].Y}, true
	}
	return Point{}, false
}

// shouldersBelow reports whether the shoulders are placed at or beyond the
// frame's bottom edge, the sign of someone leaning in close.
func shouldersBelow(kps []domain.Keypoint, w, h int) bool {
	lim := float64(h) * (1 - 2*EdgeMargin)
	return kps[LeftShoulder].Y >= lim || kps[RightShoulder].Y >= lim
}

// angleDeg is the angle of the line from a to b against the horizontal, in
// degrees, positive when b is lower in the image.
func angleDeg(a, b Point) float64 {
	return math.Atan2(b.Y-a.Y, b.X-a.X) * 180 / math.Pi
}
