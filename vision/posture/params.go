package posture

// StartParams are where `make fit` starts from: the direction of every ramp
// (which way is worse), rough thresholds from body proportions, and the
// parameters that are set rather than fitted (presence, the verdict line).
// The fit replaces the thresholds and widths; DefaultParams (generated, in
// params_fit.go) are its result. Keeping the start fixed makes the fit
// reproducible: it never starts from its own last output.
func StartParams() Params {
	return Params{
		FaceAlone: 0.9, HeadWithFace: 0.3, HeadInBox: 0.2, MinHeadScore: 0.3, NearFace: 0.6,
		MinFaceFrame: 0.035,
		BadAt:        0.5, ReportMin: 0.1,
		SitUpRamp:      Ramp{-2, 2},       // the score in log-odds: 0 is even odds of sitting badly
		Close:          Ramp{0.2, 0.3},    // eye width / frame width: set, not fitted (see fixedOrigins)
		CloseFill:      Ramp{0.65, 0.85},  // face box height / frame height: set, not fitted
		Down:           Ramp{-20, -35},    // pitch, degrees
		DownNose:       Ramp{0.8, 1.1},    // nose drop grows as the head bows (≈ 0.6 level)
		Back:           Ramp{35, 55},      // pitch, degrees: set, not fitted (no labelled chin-up frames)
		BackNose:       Ramp{0.10, -0.12}, // nose drop shrinks as the chin lifts: set where Back stands, not fitted
		Tilt:           Ramp{12, 25},      // degrees: ≤ 10° is normal head carriage
		Turn:           Ramp{40, 60},      // degrees: set, not fitted (no labelled turned frames)
		ShoulderUneven: Ramp{7, 15},       // degrees
		DClose:         Ramp{0.25, 0.6},   // relative growth of the face in the frame: set, not fitted
		DBack:          Ramp{15, 30},      // degrees of pitch raised: set, not fitted
		DSink:          Ramp{0.5, 1},      // eye widths the eyes sank, no shoulder in view: set, not fitted
	}
}
