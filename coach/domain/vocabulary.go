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

// Where a fault shows on the body: the preview circles that part.
const (
	RegionHead      = "head"
	RegionShoulders = "shoulders"
	RegionTrunk     = "trunk" // head and shoulders together
)

// faultRegions places each fault on the body.
var faultRegions = map[FaultName]string{
	ForwardHead: RegionHead, TooClose: RegionHead, HeadDown: RegionHead, HeadTilt: RegionHead,
	HeadTurn: RegionHead, HeadBack: RegionHead,
	RoundedShoulders: RegionShoulders, ShouldersRaised: RegionShoulders, UnevenShoulders: RegionShoulders,
	Slouch: RegionTrunk,
}

// FaultRegion is the part of the body a fault is about (RegionTrunk when
// it is not one place).
func FaultRegion(f FaultName) string {
	if r, ok := faultRegions[f]; ok {
		return r
	}
	return RegionTrunk
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

// ProfileNamePattern is ValidateProfileName's rule on characters as a
// regular expression that Go's regexp and JavaScript's RegExp (with the
// "u" flag) read alike, so the dashboard can check a name as it is typed;
// the lengths (MaxProfileNameChars, MaxProfileNameBytes) are checked apart.
const ProfileNamePattern = `^[\p{L}\p{Nd}](?:[\p{L}\p{Nd} ._-]*[\p{L}\p{Nd}_-])?$`
