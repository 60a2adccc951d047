package webui

import (
	"net/http"
	"posturewatch/coach/domain"

	"github.com/gin-gonic/gin"
)

// Vocabulary is the body of GET /api/vocabulary: the words the dashboard
// shows and the rules it must respect, so that the page keeps no copy of
// the server's rules.
type Vocabulary struct {
	// Faults in the coach's order, each with its label and nudge wording.
	Faults []FaultWords `json:"faults"`
	// States are the coach's states (Status.State, Sample.State).
	States []domain.State `json:"states"`
	// Postures are the verdicts on one frame (Sample.Posture).
	Postures []domain.Posture `json:"postures"`
	// ProfileName describes the profile-name rule; POST /api/profiles/check
	// applies it.
	ProfileName ProfileNameRule `json:"profile_name"`
	// Framing is what the first-run framing check asks of the picture.
	Framing FramingRule `json:"framing"`
}

// FramingRule is the framing the judgement reads surely.
type FramingRule struct {
	// ShouldersLow: a shoulder line lower in the picture than this share of
	// its height (Sample.Metrics["shoulder_height"]) is at its bottom edge;
	// LowAdvice says what to do about it. BacklitAdvice is what to do about
	// a bright light behind the user (Sample.Backlit).
	ShouldersLow  float64 `json:"shoulders_low"`
	LowAdvice     string  `json:"low_advice"`
	BacklitAdvice string  `json:"backlit_advice"`
}

// FaultWords is one fault of the vocabulary in plain words.
type FaultWords struct {
	Name  domain.FaultName `json:"name"`
	Label string           `json:"label"` // short, lower case: "forward head"
	Nudge string           `json:"nudge"` // "Your head has drifted forward"
	Fix   string           `json:"fix"`   // "bring your chin back over your shoulders."
	// Region is where it shows: "head", "shoulders" or "trunk".
	Region string `json:"region"`
}

// ProfileNameRule is domain.ValidateProfileName's rule, for the page's input
// field and hint. The page checks a name with POST /api/profiles/check.
type ProfileNameRule struct {
	MaxChars int    `json:"max_chars"`
	MaxBytes int    `json:"max_bytes"`
	Rule     string `json:"rule"`
	// Pattern is the rule on characters as a regular expression (read it
	// with the "u" flag); the page checks a name with it as it is typed.
	Pattern string `json:"pattern"`
	Check   string `json:"check"`
}

// vocabulary builds the vocabulary from the domain package.
func vocabulary() Vocabulary {
	v := Vocabulary{
		States:   append([]domain.State(nil), domain.AllStates...),
		Postures: append([]domain.Posture(nil), domain.AllPostures...),
		ProfileName: ProfileNameRule{
			MaxChars: domain.MaxProfileNameChars,
			MaxBytes: domain.MaxProfileNameBytes,
			Rule:     domain.ProfileNameRule,
			Pattern:  domain.ProfileNamePattern,
			Check:    "POST /api/profiles/check",
		},
		Framing: FramingRule{ShouldersLow: domain.ShouldersLowInPicture, LowAdvice: domain.ShouldersLowAdvice, BacklitAdvice: domain.BacklitAdvice},
	}
	for _, f := range domain.AllFaults {
		msg, fix := domain.NudgeText(f)
		v.Faults = append(v.Faults, FaultWords{Name: f, Label: domain.FaultLabel(f), Nudge: msg, Fix: fix, Region: domain.FaultRegion(f)})
	}
	return v
}

func (s *Server) apiVocabulary(c *gin.Context) {
	c.JSON(http.StatusOK, vocabulary())
}
