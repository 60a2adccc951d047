package domain

// The lists below complete AllFaults (observation.go): together they are the
// words the dashboard takes from the server (GET /api/vocabulary) instead of
// keeping copies of its own.

// faultLabels are the labels of the faults whose name reads badly as words
// (FaultLabel spells the others' names with spaces): what the dashboard
// always called them.
var faultLabels = map[FaultName]string{
	HeadTurn: "head turned",
	HeadBack: "chin up",
}

// AllStates lists the coach's states in a stable order.
var AllStates = []State{StateGood, StateSlouching, StateAway, StatePaused, StateCalibrating}

// AllCameraStates lists what the frame source can be doing, in a stable order.
var AllCameraStates = []CameraState{CameraStarting, CameraOK, CameraRetrying, CameraReleased, CameraEnded, CameraStopped}

// AllPostures lists the verdicts on one frame in a stable order.
var AllPostures = []Posture{PostureGood, PostureBad, PostureAway, PostureUnknown}

// The limits of ValidateProfileName.
const (
	// MaxProfileNameChars is the longest profile name, in characters.
	MaxProfileNameChars = 64
	// MaxProfileNameBytes is the longest profile name in UTF-8 bytes: each
	// profile is a file NAME.json, and 64 non-Latin characters can exceed
	// the 255-byte name limit of Linux file systems.
	MaxProfileNameBytes = 200
)

// ProfileNameRule says ValidateProfileName's rule in plain words.
const ProfileNameRule = "1 to 64 letters, digits, spaces, '-', '_' or '.', starting with a letter or digit and not ending with a space or a dot"
