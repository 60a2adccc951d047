package face

import (
	"math"
	"testing"
)

func meshAngles(t *testing.T, pts [NumMeshPoints]Point3) HeadAngles {
	t.Helper()
	a, ok := meshOf(pts, 1).Angles()
	if !ok {
		t.Fatal("Angles: not ok")
	}
	return a
}

func TestMeshAnglesCanonicalIsZero(t *testing.T) {
	a := meshAngles(t, projectMesh(0, 0, 0, 1.7, 300, 200))
	if math.Abs(a.Roll)+math.Abs(a.Pitch)+math.Abs(a.Yaw) > 1e-9 {
		t.Errorf("canonical face angles %+v, want zero", a)
	}
}

func TestMeshAnglesRecoverKnownRotation(t *testing.T) {
	vals := []float64{-40, -25, -10, 0, 5, 20, 35}
	for _, roll := range vals {
		for _, pitch := range vals {
			for _, yaw := range vals {
				a := meshAngles(t, projectMesh(roll, pitch, yaw, 1.3, 320, 240))
				if !near(a.Roll, roll, 1) || !near(a.Pitch, pitch, 1) || !near(a.Yaw, yaw, 1) {
					t.Errorf("rotated by roll %v pitch %v yaw %v: got %+v", roll, pitch, yaw, a)
				}
			}
		}
	}
}

// The single-axis cases pin the signs to what is seen in the image, not to
// the rotation formula.
func TestMeshAngleSignsMatchTheImage(t *testing.T) {
	s := 2.0
	// Roll: the image-right side of the face (point 454) goes down.
	p := projectMesh(20, 0, 0, s, 320, 240)
	if p[MeshLeftCheek].Y <= p[MeshRightCheek].Y {
		t.Fatal("test setup: roll +20 should lower the image-right cheek")
	}
	assertNear(t, "Roll", meshAngles(t, p).Roll, 20, 1e-6)

	// Pitch: chin up brings the chin nearer the camera than the forehead
	// and the nose tip rises towards the eyes.
	p = projectMesh(0, 20, 0, s, 320, 240)
	if p[MeshChin].Z >= p[MeshForehead].Z || p[MeshNoseTip].Y-p[MeshBetweenEyes].Y >= s*40 {
		t.Fatal("test setup: pitch +20 should be chin up")
	}
	assertNear(t, "Pitch", meshAngles(t, p).Pitch, 20, 1e-6)

	// Yaw: the nose tip moves to the image's right of the face's midline.
	p = projectMesh(0, 0, 20, s, 320, 240)
	if p[MeshNoseTip].X <= 320 {
		t.Fatal("test setup: yaw +20 should move the nose to the right")
	}
	assertNear(t, "Yaw", meshAngles(t, p).Yaw, 20, 1e-6)
}

func TestMeshAnglesMirroredFlipYawAndRoll(t *testing.T) {
	for _, c := range [][3]float64{{15, 10, 25}, {-30, -5, 12}, {8, 25, -35}} {
		p := projectMesh(c[0], c[1], c[2], 1.5, 320, 240)
		// A mirrored frame: x → width − x, and the model labels the
		// features by the mirrored face, so left and right swap.
		var m [NumMeshPoints]Point3
		for i := range p {
			j := i
			if k, ok := mirrorIndex[i]; ok {
				j = k
			}
			m[i] = Point3{640 - p[j].X, p[j].Y, p[j].Z}
		}
		a, b := meshAngles(t, p), meshAngles(t, m)
		if !near(b.Roll, -a.Roll, 1e-6) || !near(b.Yaw, -a.Yaw, 1e-6) || !near(b.Pitch, a.Pitch, 1e-6) {
			t.Errorf("%v: angles %+v, mirrored %+v: want roll and yaw negated, pitch kept", c, a, b)
		}
	}
}

func TestMeshAnglesThroughRotatedCrop(t *testing.T) {
	// The whole path: a tilted head, cropped upright, decoded back.
	src := projectMesh(-28, 12, -18, 1.2, 300, 260)
	c, err := NewCrop(Point{300, 250}, 290, rad(-28), MeshInputSize)
	if err != nil {
		t.Fatal(err)
	}
	m, err := DecodeMesh(rawMesh(src, c), []float32{1}, c)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := m.Angles()
	if !ok || !near(a.Roll, -28, 0.01) || !near(a.Pitch, 12, 0.01) || !near(a.Yaw, -18, 0.01) {
		t.Errorf("angles %+v ok %v, want roll −28 pitch 12 yaw −18", a, ok)
	}
}

func TestMeshAnglesToleratesNonPerpendicularAxes(t *testing.T) {
	// Real meshes' chin line and cheek line are not exactly perpendicular;
	// the frame is re-orthogonalised, so a small skew changes little.
	pts := projectMesh(10, 0, 0, 1, 0, 0)
	pts[MeshChin].X += 3 // skews the chin line by ~1°
	a := meshAngles(t, pts)
	if !near(a.Roll, 10-deg(math.Atan(3/175.0)), 0.2) || !near(a.Yaw, 0, 1) || !near(a.Pitch, 0, 1) {
		t.Errorf("skewed: %+v", a)
	}
}

func TestMeshAnglesDegenerate(t *testing.T) {
	var p Point3
	if _, ok := AnglesFromPoints(p, p, Point3{1, 0, 0}, Point3{2, 0, 0}); ok {
		t.Error("forehead = chin: ok")
	}
	if _, ok := AnglesFromPoints(Point3{0, 0, 0}, Point3{0, 10, 0}, Point3{0, 0, 0}, Point3{0, 5, 0}); ok {
		t.Error("parallel axes: ok")
	}
	nan := math.NaN()
	if _, ok := AnglesFromPoints(Point3{nan, 0, 0}, Point3{0, 10, 0}, Point3{-5, 0, 0}, Point3{5, 0, 0}); ok {
		t.Error("NaN: ok")
	}
}

// libraryAngles re-computes the library's angles.ts from source-pixel mesh
// points of a face whose crop side is side, including its unequal scaling
// (x, y divided by side/1.5, z by side) and its signs.
func libraryAngles(pts [NumMeshPoints]Point3, side float64) HeadAngles {
	conv := func(p Point3) Point3 { return Point3{p.X * 1.5 / side, p.Y * 1.5 / side, p.Z / side} }
	a, _ := AnglesFromPoints(conv(pts[MeshForehead]), conv(pts[MeshChin]), conv(pts[MeshRightCheek]), conv(pts[MeshLeftCheek]))
	return HeadAngles{Roll: a.Roll, Pitch: -a.Pitch, Yaw: -a.Yaw}
}

func TestLibraryAnglesRelation(t *testing.T) {
	// Documented for the golden test: for one-axis turns the library's
	// pitch and yaw are −atan(tan(ours)/1.5); roll is the same.
	for _, v := range []float64{-35, -10, 15, 30} {
		lib := libraryAngles(projectMesh(0, v, 0, 1, 0, 0), 250)
		assertNear(t, "library pitch", lib.Pitch, -deg(math.Atan(math.Tan(rad(v))/1.5)), 1e-6)
		lib = libraryAngles(projectMesh(0, 0, v, 1, 0, 0), 250)
		assertNear(t, "library yaw", lib.Yaw, -deg(math.Atan(math.Tan(rad(v))/1.5)), 1e-6)
		lib = libraryAngles(projectMesh(v, 0, 0, 1, 0, 0), 250)
		assertNear(t, "library roll", lib.Roll, v, 1e-6)
	}
}

// genericDetection places the detector landmarks of the generic head
// (eye distance 1) rotated by the angles, scaled by s px, at (cx, cy).
func genericDetection(roll, pitch, yaw, s, cx, cy float64) Detection {
	head := [6]Point3{
		{-0.5, 0, 0}, {0.5, 0, 0}, // eyes
		{0, genericNoseDrop, -genericNoseAhead},
		{0, genericMouthDrop, -genericMouthAhead},
		{-1.1, 0.3, 0.9}, {1.1, 0.3, 0.9}, // ears, behind and below the eyes
	}
	r := headRotation(roll, pitch, yaw)
	var d Detection
	for i, p := range head {
		q := r.apply(p)
		d.Landmarks[i] = Point{cx + s*q.X, cy + s*q.Y}
	}
	d.Box = Box{cx - s, cy - s, cx + s, cy + 1.5*s}
	d.Score = 0.9
	return d
}

func detectorPose(t *testing.T, d Detection) DetectorPose {
	t.Helper()
	p, ok := d.Pose()
	if !ok {
		t.Fatal("Pose: not ok")
	}
	return p
}

func TestDetectorPoseSingleAxis(t *testing.T) {
	for _, v := range []float64{-40, -15, 0, 10, 30} {
		p := detectorPose(t, genericDetection(v, 0, 0, 60, 320, 240))
		assertNear(t, "roll", p.Roll, v, 1e-9)
		assertNear(t, "yaw at pure roll", p.Yaw, 0, 1e-9)
		assertNear(t, "pitch at pure roll", p.Pitch, 0, 1e-9)

		p = detectorPose(t, genericDetection(0, 0, v, 60, 320, 240))
		assertNear(t, "yaw", p.Yaw, v, 1e-9)
		assertNear(t, "nose offset", p.NoseOffset, genericNoseAhead*math.Tan(rad(v)), 1e-9)
		if v != 0 && math.Signbit(p.EarBalance) != math.Signbit(v) {
			t.Errorf("yaw %v: EarBalance %v has the wrong sign", v, p.EarBalance)
		}

		p = detectorPose(t, genericDetection(0, v, 0, 60, 320, 240))
		assertNear(t, "pitch", p.Pitch, v, 1e-9)
		assertNear(t, "roll at pure pitch", p.Roll, 0, 1e-9)
	}
	p := detectorPose(t, genericDetection(0, 0, 0, 60, 320, 240))
	assertNear(t, "neutral NoseDrop", p.NoseDrop, genericNoseDrop/genericMouthDrop, 1e-12)
	if up := detectorPose(t, genericDetection(0, 20, 0, 60, 320, 240)); up.NoseDrop >= p.NoseDrop {
		t.Errorf("chin up NoseDrop %v should be below neutral %v", up.NoseDrop, p.NoseDrop)
	}
}

func TestDetectorPoseRollInvariantCues(t *testing.T) {
	// Measured along and across the eye line, the yaw and pitch cues do not
	// change when the whole face is rolled in the image.
	base := detectorPose(t, genericDetection(0, 10, 20, 60, 320, 240))
	for _, roll := range []float64{-35, 25} {
		d := genericDetection(0, 10, 20, 60, 320, 240)
		c, s := math.Cos(rad(roll)), math.Sin(rad(roll))
		for i, q := range d.Landmarks {
			x, y := q.X-320, q.Y-240
			d.Landmarks[i] = Point{320 + c*x - s*y, 240 + s*x + c*y}
		}
		p := detectorPose(t, d)
		assertNear(t, "roll", p.Roll, base.Roll+roll, 1e-9)
		assertNear(t, "nose offset", p.NoseOffset, base.NoseOffset, 1e-9)
		assertNear(t, "nose drop", p.NoseDrop, base.NoseDrop, 1e-9)
		assertNear(t, "ear balance", p.EarBalance, base.EarBalance, 1e-9)
	}
}

func TestDetectorPoseMirrored(t *testing.T) {
	d := genericDetection(12, 8, 25, 50, 320, 240)
	var m Detection
	swap := [6]int{1, 0, 2, 3, 5, 4}
	for i, j := range swap {
		m.Landmarks[i] = Point{640 - d.Landmarks[j].X, d.Landmarks[j].Y}
	}
	a, b := detectorPose(t, d), detectorPose(t, m)
	if !near(b.Roll, -a.Roll, 1e-9) || !near(b.Yaw, -a.Yaw, 1e-9) || !near(b.NoseOffset, -a.NoseOffset, 1e-9) ||
		!near(b.EarBalance, -a.EarBalance, 1e-9) || !near(b.Pitch, a.Pitch, 1e-9) {
		t.Errorf("pose %+v, mirrored %+v", a, b)
	}
}

func TestDetectorPoseDegenerate(t *testing.T) {
	if _, ok := (Detection{}).Pose(); ok {
		t.Error("coincident eyes: ok")
	}
}
