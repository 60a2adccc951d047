package domain

import (
	"sort"
	"time"
)

// FaultName is one word of the fixed fault vocabulary.
type FaultName string

// The fault vocabulary. Vision judges frames with these; the coach times them.
const (
	ForwardHead      FaultName = "forward_head"      // head ahead of / dropped below its upright place
	RoundedShoulders FaultName = "rounded_shoulders" // shoulders drawn forward and in
	Slouch           FaultName = "slouch"            // trunk sinks: head and shoulders drop together
	TooClose         FaultName = "too_close"         // leaning in to the screen
	HeadDown         FaultName = "head_down"         // looking down (text neck)
	HeadTilt         FaultName = "head_tilt"         // ear toward shoulder
	HeadTurn         FaultName = "head_turn"         // head held turned
	HeadBack         FaultName = "head_back"         // neck extended, chin up
	ShouldersRaised  FaultName = "shoulders_raised"  // shrugging
	UnevenShoulders  FaultName = "uneven_shoulders"  // one shoulder higher
)

// AllFaults lists the vocabulary in a stable order.
var AllFaults = []FaultName{ForwardHead, RoundedShoulders, Slouch, TooClose, HeadDown,
	HeadTilt, HeadTurn, HeadBack, ShouldersRaised, UnevenShoulders}

// SitUp reports whether f is one of the faults vision names from its one
// "sit up straight" score (vision/posture's SitUpFeatures): the score is
// named after the feature that pushes it most, so a slump held still can be
// a head forward on one frame and sunk in the chair on the next. The coach
// times them as one (see coach.Coach).
func (f FaultName) SitUp() bool {
	switch f {
	case ForwardHead, RoundedShoulders, Slouch, TooClose, HeadDown:
		return true
	}
	return false
}

// CameraDependent reports whether how f reads depends on where the camera
// sits, so that a baseline (calibrated or learnt) judges it afresh: the neck's
// apparent length, the shoulders' width, the eyes' height, the head's pitch
// and the face's size all change with the camera's height and distance. A
// head's roll and turn and the shoulders' tilt do not.
func (f FaultName) CameraDependent() bool {
	switch f {
	case HeadTilt, HeadTurn, UnevenShoulders:
		return false
	}
	return f.Valid()
}

// Valid reports whether f is in the vocabulary.
func (f FaultName) Valid() bool {
	for _, g := range AllFaults {
		if g == f {
			return true
		}
	}
	return false
}

// Posture is the overall verdict on one frame.
type Posture string

const (
	PostureGood    Posture = "good"
	PostureBad     Posture = "bad"
	PostureAway    Posture = "away"    // nobody at the desk
	PostureUnknown Posture = "unknown" // someone there, too little visible to judge
)

// Fault is one judged fault on one frame.
type Fault struct {
	Name     FaultName `json:"name"`
	Severity float64   `json:"severity"` // 0..1
	Why      string    `json:"why"`
}

// SortFaults orders faults as Leads does, the one to name first first.
func SortFaults(fs []Fault) {
	sort.SliceStable(fs, func(i, j int) bool {
		return Leads(fs[i].Name, fs[i].Severity, fs[j].Name, fs[j].Severity)
	})
}

// Leads reports whether fault a at severity sa is named before fault b at
// sb: the more severe first; between equally severe ones, one the camera's
// place cannot fake (CameraDependent) first, as a head rolled to full
// severity with a neck that reads short beside it has surely rolled, while
// the short neck may be the camera's doing or the roll's; then by name, for
// stable output.
func Leads(a FaultName, sa float64, b FaultName, sb float64) bool {
	if sa != sb {
		return sa > sb
	}
	if ca, cb := a.CameraDependent(), b.CameraDependent(); ca != cb {
		return cb
	}
	return a < b
}

// Keypoint is one COCO keypoint in source pixel coordinates.
type Keypoint struct {
	Name  string  `json:"name"`
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
	Score float64 `json:"score"`
}

// Metric keys. All are free of the camera's resolution; the ones "in eye
// widths" are also free of the distance to the camera. The eye width is the
// distance between the eye centres: from the face mesh in three dimensions
// (so a turned or tilted head does not shrink it), else from the face
// detector or the body model in the image plane.
const (
	MetricHeadRoll       = "head_roll_deg"     // eye line angle from horizontal, + = image-right side lower
	MetricHeadYaw        = "head_yaw_deg"      // head turn, + = the nose towards the image's right
	MetricHeadPitch      = "head_pitch_deg"    // head pitch from the face mesh, + = chin up (camera height adds to it)
	MetricFaceFrame      = "face_frame"        // eye width / the frame's long side (its width, unless it stands upright): how near the face is
	MetricFaceBox        = "face_box"          // face box height / frame height
	MetricNeckEyes       = "neck_eyes"         // eye line to shoulder line, in eye widths
	MetricNeckShoulders  = "neck_shoulders"    // eye line to shoulder line / shoulder width (free of the eye width's noise)
	MetricShoulderFace   = "shoulder_face"     // shoulder width, in eye widths
	MetricShoulderTilt   = "shoulder_tilt_deg" // shoulder line angle from horizontal
	MetricShoulderHeight = "shoulder_height"   // shoulder line y / frame height (0 top, 1 bottom)
	MetricEyeHeight      = "eye_height"        // eye line y / frame height
	MetricFaceHeight     = "face_height_ratio" // eye line to nose tip, in eye widths (grows looking down)
)

// MetricsVersion is the version of the metric set above. A baseline made
// with another version measured other things and must be made again.
const MetricsVersion = 2

// Metrics maps metric keys to values; a metric that cannot be measured on a
// frame is absent, never zero.
type Metrics map[string]float64

// Observation is what vision reports for one frame.
type Observation struct {
	Time    time.Time     `json:"-"`
	Offset  time.Duration `json:"-"` // position on the source's own timeline
	Source  string        `json:"source,omitempty"`
	Frame   int           `json:"frame"`
	Posture Posture       `json:"posture"`
	// Why says in words what the verdict rests on: the worst fault, what
	// was seen for a good verdict, what was missing for away or unknown.
	Why       string     `json:"why,omitempty"`
	Faults    []Fault    `json:"faults"`
	Metrics   Metrics    `json:"metrics"`
	Keypoints []Keypoint `json:"keypoints"`
	Visible   []string   `json:"visible,omitempty"` // parts judged visible: face, eyes, ears, shoulders
	// Confidence of the person detection 0..1 (mean score of the head and shoulder keypoints).
	Confidence float64 `json:"confidence"`
	// Picture, when set, says the frame cannot show anyone: too dark, or
	// all one colour (a covered lens). The posture is then unknown, not away.
	Picture PictureProblem `json:"picture,omitempty"`
	// Backlit: the face was dark against a brighter picture (a window
	// behind the user). The models saw a copy exposed for it where the face
	// mesh reads the face (not a masked one); the posture is judged as
	// usual either way, and BacklitAdvice says how it is judged better.
	Backlit bool `json:"backlit,omitempty"`
	// People counts the faces of a user's size the face detector saw on
	// this frame; 0 when it did not run (the face was followed from the
	// frame before). More than one: someone shares the camera's view.
	People int `json:"people,omitempty"`
	// Analysis is how long the frame took to analyse (models, decoding,
	// judgement), when the live path measured it; for the metrics.
	Analysis time.Duration `json:"-"`
	// Against says what a judged frame was measured against (empty when
	// nobody was judged).
	Against Against `json:"against,omitempty"`
	// CameraMoved is set on the frame where the room behind the sitter
	// shifted and stayed so (seen over seconds, not a passer-by): the
	// camera was moved or turned. A calibration made at the old place no
	// longer fits, even when the face keeps its size in the frame.
	CameraMoved bool `json:"camera_moved,omitempty"`
	// ViewForgotten is set on the frame on which vision dropped what it had
	// learnt of how the camera sees the sitter (another camera, the camera
	// moved, a long absence) and began to learn it afresh. A frame judged
	// against the defaults after frames judged against the learnt view does
	// not say so: where the view is of the face alone, a frame that shows a
	// shoulder is judged by the defaults until a view of the shoulders
	// comes, and the face's view stays.
	ViewForgotten bool `json:"view_forgotten,omitempty"`
	// Provisional is set on a frame judged against the defaults while the
	// session's own view of the camera is still being learnt from frames
	// like it (vision's learner has too few yet). From one frame a camera
	// below or above the eyes is indistinguishable from posture; the learnt
	// view tells them apart. The coach does not let such frames alone make
	// a camera-dependent fault count (Coach.Step, ProvisionalHold).
	Provisional bool `json:"provisional,omitempty"`
}

// Against names what a frame was judged against.
type Against string

// What a frame is judged against: the default thresholds, a baseline
// learnt from the session's own frames (the camera's view), or the
// user's calibration profile.
const (
	AgainstDefaults Against = "defaults"
	AgainstLearnt   Against = "learnt"
	AgainstProfile  Against = "profile"
)

// PictureProblem is why a frame cannot show anyone.
type PictureProblem string

// The picture problems.
const (
	PictureDark  PictureProblem = "dark"  // too dark to see a person
	PictureBlank PictureProblem = "blank" // all one colour: the lens covered, or a wall
)

// Advice says what the user can do about the problem.
func (p PictureProblem) Advice() string {
	switch p {
	case PictureDark:
		return "too dark to see you: turn on a light (or uncover the lens)"
	case PictureBlank:
		return "the picture is all one colour: is the lens covered?"
	}
	return ""
}

// Fault returns the severity of the named fault on this observation (0 if absent).
func (o Observation) Fault(name FaultName) float64 {
	for _, f := range o.Faults {
		if f.Name == name {
			return f.Severity
		}
	}
	return 0
}

// Stat is a robust summary of one metric over a calibration.
type Stat struct {
	Median float64 `json:"median"`
	MAD    float64 `json:"mad"` // median absolute deviation
	N      int     `json:"n"`
}

// Baseline is a personal profile of metrics taken from the user's good posture.
type Baseline struct {
	Name string `json:"name"`
	// Version is the MetricsVersion the metrics were measured with (0: the
	// first, before the face models).
	Version int             `json:"version,omitempty"`
	Created time.Time       `json:"created"`
	Frames  int             `json:"frames"`
	Metrics map[string]Stat `json:"metrics"`
	// Outline is where each keypoint sat during the calibration (the
	// median over the usable frames, in the camera's pixels), so the
	// preview can draw the calibrated posture beside the current one.
	// Profiles made before it have none.
	Outline []Keypoint `json:"outline,omitempty"`
	// Backlit counts the usable frames whose face was backlit
	// (Observation.Backlit): on most of them, the setup advises the light.
	Backlit int `json:"backlit,omitempty"`
	// Learnt marks a view learnt from the session's own frames (vision's
	// learner) rather than a calibration the user made; LearntScore is the
	// median of those frames' sit-up scores by the defaults (log-odds, over
	// 0 where the defaults call them bad). Neither is ever saved or read
	// from a file: a saved profile is a calibration.
	Learnt      bool    `json:"-"`
	LearntScore float64 `json:"-"`
	// LearntKind names how most of the learner's window was measured,
	// where frames measured otherwise score differently for the same
	// posture (vision/posture: the shoulders' width from both shoulders,
	// or estimated from the neck with one in view), and LearntKindScore
	// is the median sit-up score of the most upright-looking of those
	// frames alone. Empty when no kind holds most of the window, when the
	// view is mostly of that kind already, or when too few of its frames
	// look upright.
	LearntKind      string  `json:"-"`
	LearntKindScore float64 `json:"-"`
}
