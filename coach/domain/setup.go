package domain

import (
	"fmt"
	"math"
	"strings"
)

// A calibration measures the user's good posture; read the other way, the
// same numbers say where the camera sits. The face's size in the frame
// gives the distance, given two assumptions (the eyes' spacing and the
// camera's field of view); the face's pitch gives the camera's height
// against the eyes; the head's yaw, whether the camera stands to one side.

const (
	// AssumedEyeSpacingCM is the distance between the eye centres of an
	// adult: about 6.3 cm on average (5.5–7 cm for most people).
	AssumedEyeSpacingCM = 6.3
	// AssumedFieldOfViewDeg is the horizontal field of view of a typical
	// laptop or desk webcam (most lie between 55° and 70°).
	AssumedFieldOfViewDeg = 60.0
)

// The bands of the words.
const (
	levelCM     = 5.0  // within this of the eyes: level with them
	littleCM    = 15.0 // within this: a little above or below
	levelDeg    = 4.0  // without a distance: the pitch bands instead
	littleDeg   = 12.0 // …
	sideDeg     = 12.0 // a steady yaw beyond this: the camera stands to one side
	closeCM     = 45.0 // nearer than this: too close for the eyes and the shoulders
	farCM       = 100.0
	fallbackCM  = 60.0 // the distance assumed for the height when the face's size is unknown
	roundToCM   = 5.0
	maxDistance = 400.0 // beyond this the face's size was misread
)

// ShouldersLowInPicture is the shoulder line's height in the picture (its
// share from the top, MetricShoulderHeight) below which the shoulders sit at
// its bottom edge. There the body model places them from what little of
// them shows, and a small change of the picture moves them: the development
// person whose shoulders sit at 91–93 % had 13 of her 49 upright frames
// read as a head forward when enlarged 1.15× (sitting a little nearer), and
// 16 with a slightly cooler white balance; slouch-or-not's person, his at
// 61–77 %, 4 of 32 nearer and 2 of all 65 frames cooler. The framing check
// and a calibration's setup advise a framing that leaves them clear of the
// edge.
const ShouldersLowInPicture = 0.85

// ShouldersLowAdvice is what to do about shoulders at the picture's bottom edge.
const ShouldersLowAdvice = "Your shoulders are at the bottom edge of the picture: tilt the camera down a little or sit back, so they show clearly and your posture reads surely."

// BacklitAdvice is what to do about a bright light behind the user (a window
// in the picture): the camera exposes for it and the face comes out dark.
// The posture is still judged (on a copy of the picture brightened for the
// face, where the face mesh reads it), but the body model reads a dark
// figure less surely.
const BacklitAdvice = "A bright light behind you darkens your face: face the window or turn a light towards you. Your posture is still read, but more surely with the light in front of you."

// Setup is what a calibration says about where the camera sits, in words
// for the user, with the numbers they rest on.
type Setup struct {
	// DistanceCM is the estimated distance from the camera to the eyes,
	// rounded to 5 cm; 0 when the face's size was not measured.
	DistanceCM int `json:"distance_cm,omitempty"`
	// CameraAboveCM is how far the camera sits above the eyes (negative:
	// below); meaningful only when HeightKnown.
	CameraAboveCM int  `json:"camera_above_cm"`
	HeightKnown   bool `json:"height_known"`
	// Side is "left" or "right" when the camera stands to the user's side.
	Side string `json:"side,omitempty"`
	// ShouldersInView: both shoulders were measured.
	ShouldersInView bool `json:"shoulders_in_view"`
	// Summary is one sentence: "Camera a little below your eyes, about 60 cm away."
	Summary string `json:"summary"`
	// Advice holds further sentences worth acting on (may be empty).
	Advice []string `json:"advice"`
	// Assumptions says what the distance rests on.
	Assumptions string `json:"assumptions"`
}

// DescribeSetup reads a baseline as a camera placement. It returns nil for
// a nil baseline or one without metrics.
func DescribeSetup(b *Baseline) *Setup {
	if b == nil || len(b.Metrics) == 0 {
		return nil
	}
	median := func(k string) (float64, bool) {
		st, ok := b.Metrics[k]
		if !ok || math.IsNaN(st.Median) || math.IsInf(st.Median, 0) {
			return 0, false
		}
		return st.Median, true
	}
	s := &Setup{Advice: []string{},
		Assumptions: fmt.Sprintf("The distance assumes eyes %.1f cm apart and a camera that sees %.0f° across; a wide-angle camera makes it shorter, a narrow one longer.",
			AssumedEyeSpacingCM, AssumedFieldOfViewDeg)}

	dist := 0.0
	if f, ok := median(MetricFaceFrame); ok && f > 0 {
		d := AssumedEyeSpacingCM / (2 * f * math.Tan(AssumedFieldOfViewDeg/2*math.Pi/180))
		if d <= maxDistance {
			dist = d
			s.DistanceCM = int(math.Round(d/roundToCM) * roundToCM)
		}
	}

	var parts []string
	if p, ok := median(MetricHeadPitch); ok {
		// A camera below the eyes looks up at the face, which then reads
		// as chin up (positive pitch), and the other way round.
		s.HeightKnown = true
		d := dist
		if d == 0 {
			d = fallbackCM
		}
		above := -d * math.Tan(p*math.Pi/180)
		s.CameraAboveCM = int(math.Round(above))
		parts = append(parts, "camera "+heightWords(above, p, dist > 0))
		switch {
		case above <= -littleCM:
			s.Advice = append(s.Advice, "Raise the camera (or the laptop) towards eye height: a camera far below looks up your nose and sees less of a forward head.")
		case above >= littleCM*2:
			s.Advice = append(s.Advice, "Lower the camera towards eye height: from high above, looking down reads like sinking.")
		}
	}
	if s.DistanceCM > 0 {
		about := fmt.Sprintf("about %d cm away", s.DistanceCM)
		if len(parts) == 0 {
			about = "camera " + about
		}
		parts = append(parts, about)
		switch {
		case dist < closeCM:
			s.Advice = append(s.Advice, "You sit close to the screen: an arm's length (50–75 cm) rests the eyes and lets the camera see both shoulders.")
		case dist > farCM:
			s.Advice = append(s.Advice, "You sit far from the camera: small changes of posture are harder to see from there.")
		}
	}
	if y, ok := median(MetricHeadYaw); ok && math.Abs(y) >= sideDeg {
		// The head faces the screen; seen from a camera on the user's
		// right, the nose points to the image's right (positive yaw).
		s.Side = "right"
		if y < 0 {
			s.Side = "left"
		}
		parts = append(parts, "off to your "+s.Side)
	}
	_, neck := median(MetricNeckEyes)
	_, width := median(MetricShoulderFace)
	s.ShouldersInView = neck || width
	if !s.ShouldersInView {
		s.Advice = append(s.Advice, "Your shoulders were not in view: tilt the camera down a little or sit back, so rounded shoulders and sinking can be seen.")
	} else if h, ok := median(MetricShoulderHeight); ok && h > ShouldersLowInPicture {
		s.Advice = append(s.Advice, ShouldersLowAdvice)
	}
	if 2*b.Backlit > b.Frames {
		s.Advice = append(s.Advice, BacklitAdvice)
	}
	if len(parts) == 0 {
		s.Summary = "The calibration did not measure where the camera sits."
	} else {
		s.Summary = sentenceCase(strings.Join(parts, ", ")) + "."
	}
	return s
}

// heightWords words the camera's height against the eyes.
func heightWords(aboveCM, pitchDeg float64, distanceKnown bool) string {
	level, little := math.Abs(aboveCM) < levelCM, math.Abs(aboveCM) < littleCM
	if !distanceKnown {
		level, little = math.Abs(pitchDeg) < levelDeg, math.Abs(pitchDeg) < littleDeg
	}
	dir := "below"
	if aboveCM > 0 {
		dir = "above"
	}
	switch {
	case level:
		return "level with your eyes"
	case little:
		return "a little " + dir + " your eyes"
	default:
		return "well " + dir + " your eyes"
	}
}

func sentenceCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
