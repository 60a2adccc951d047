package posture

import (
	"fmt"
	"math"
	"posturewatch/coach/domain"
	"sync"
)

// Ramp maps a value to a severity: 0 at Onset, 1 at Full (either order, so a
// ramp can rise or fall), linear between, clamped.
type Ramp struct{ Onset, Full float64 }

// Sev is the severity of v on the ramp.
func (r Ramp) Sev(v float64) float64 {
	if r.Full == r.Onset {
		return 0
	}
	return clamp01((v - r.Onset) / (r.Full - r.Onset))
}

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }

// Params are the judgement's thresholds. Defaults (no calibration) apply to
// the absolute metric; Delta ramps apply to the change from a personal
// baseline's median (sign: the direction of the fault).
type Params struct {
	// Presence.
	MinFaceScore float64 // mean of the best three head keypoint scores for "someone is there"
	MinFaceFrame float64 // eye distance / frame width below which a face is a passer-by or far away

	// Verdict.
	BadAt     float64 // a fault at or above this severity makes the posture bad
	ReportMin float64 // faults below this severity are not listed

	// Uncalibrated ramps on absolute metrics.
	Tilt, Turn, Back, BackPitch, Down, DownPitch, Close, CloseNoShoulders     Ramp
	NeckFace, FaceShoulder, ShoulderFace, EyeLow, CloseCamera, ShoulderUneven Ramp
	// SunkEyes and SunkNeck are judged together: a slouch from one frame
	// needs both the head low in a laptop frame and the neck shortened.
	SunkEyes, SunkNeck Ramp
	// Calibrated ramps on changes from the baseline.
	DNeckFace, DFaceFrame, DFaceShoulder, DShoulderFace, DEyeDrop, DPitch, DFaceHeight Ramp
}

// DefaultParams are the uncalibrated defaults. Each one's origin is written
// beside it: anatomy averages (interpupillary ≈ 6.3 cm, shoulder breadth ≈
// 36–40 cm, ear-to-acromion height ≈ 18–22 cm), laptop-camera geometry
// (≈ 65° horizontal field of view at 50–60 cm), and what MoveNet reported on
// ../shared/posture-data (see README "How the defaults were set").
func DefaultParams() Params {
	return Params{
		MinFaceScore: 0.3,   // best three head keypoints: 0.4–0.9 on real faces (masked, eyes closed too), empty scenes below 0.25
		MinFaceFrame: 0.035, // eye distance 6.3 cm spans ≥ 3.5 % of a laptop frame out to ~1.6 m; desk users are at 0.4–0.9 m
		BadAt:        0.5,
		ReportMin:    0.1,

		Tilt:      Ramp{10, 25},     // |roll| degrees: ≤ 10° is normal head carriage, 25° is an ear-toward-shoulder stretch
		Turn:      Ramp{0.15, 0.4},  // yaw ≈ 0.4·tan(turn) from the nose (≈ 2.5 cm before the pupils), ≈ 0.5·tan with both ears: 0.15 ≈ 17–20°, bad (0.275) ≈ 28–35°; we see ≤ 0.16 facing the screen
		Back:      Ramp{0.40, 0.22}, // eye–nose height / eye distance: 0.43–0.60 level (0.52–0.60 from a laptop camera below), ≈ 0.3 at 30° chin up
		BackPitch: Ramp{0.15, 0.6},  // nose above the ear line, eye widths: −0.4…−0.1 level; the nose sits ≈ 10 cm before the ear axis, so 30° back lifts it ≈ +0.8
		Down:      Ramp{1.05, 1.4},  // eye–nose height / eye distance grows when the head bows (≈ 0.8 at 30°)
		DownPitch: Ramp{-0.8, -1.3}, // nose below the ear line: ≈ −1.1 at 30° bowed

		Close:            Ramp{0.16, 0.24},  // eye distance / frame width: 0.08–0.15 at 50–60 cm (wider for cropped frames), 0.24 ≈ 25 cm
		CloseNoShoulders: Ramp{0.12, 0.18},  // the same when the shoulders have left the frame (leaning in)
		NeckFace:         Ramp{2.4, 1.5},    // ear-line to shoulder-line height / eye distance: 2.3–2.8 upright in every set we have, 1.3–1.6 head forward
		FaceShoulder:     Ramp{0.26, 0.34},  // eye distance / shoulder width: ~0.18–0.22 upright
		ShoulderFace:     Ramp{3.6, 2.9},    // shoulder width / eye distance: ~4.5–5.5 upright; shoulders drawn in shrink it
		EyeLow:           Ramp{0.38, 0.50},  // eye line / frame height, for a close (laptop) camera: upright 0.25–0.40, sunk 0.45–0.55
		CloseCamera:      Ramp{0.085, 0.10}, // face/frame width from which the camera counts as a laptop's (EyeLow applies)
		SunkEyes:         Ramp{0.33, 0.42},  // with SunkNeck: eyes lower than upright laptop users' 0.25–0.32 …
		SunkNeck:         Ramp{2.30, 2.00},  // … and the ear-to-shoulder height below upright's 2.3–2.8 eye widths
		ShoulderUneven:   Ramp{7, 15},       // shoulder-line angle, degrees

		DNeckFace:     Ramp{-0.12, -0.40}, // shortening of neck/face against the baseline
		DFaceFrame:    Ramp{0.18, 0.5},    // relative growth of the face in the frame (leaning in)
		DFaceShoulder: Ramp{0.10, 0.30},   // relative growth of face against shoulders (head forward)
		DShoulderFace: Ramp{-0.10, -0.25}, // relative narrowing of shoulders against the face (rounding)
		DEyeDrop:      Ramp{0.4, 0.9},     // eye line dropping, in eye widths (0.4 ≈ 2.5 cm; sitting still varies by < 0.1)
		DPitch:        Ramp{0.35, 0.8},    // nose rising above the ear line, face widths
		DFaceHeight:   Ramp{-0.12, -0.3},  // eye–nose height shrinking (chin up)
	}
}

// Judge turns measurements into faults. It is safe for concurrent use.
type Judge struct {
	mu       sync.RWMutex
	p        Params
	baseline *domain.Baseline
}

// NewJudge makes a judge; baseline may be nil.
func NewJudge(p Params, b *domain.Baseline) *Judge { return &Judge{p: p, baseline: b} }

// SetBaseline replaces the personal baseline (nil = defaults).
func (j *Judge) SetBaseline(b *domain.Baseline) {
	j.mu.Lock()
	j.baseline = b
	j.mu.Unlock()
}

// Observe measures keypoints and fills in the observation's verdict.
func (j *Judge) Observe(obs domain.Observation, kps []domain.Keypoint, w, h int) domain.Observation {
	m := Measure(kps, w, h)
	obs.Keypoints = kps
	obs.Metrics = m.Metrics
	obs.Visible = m.Visible()
	obs.Confidence = m.Confidence
	obs.Posture, obs.Faults = j.Judge(m)
	if obs.Faults == nil {
		obs.Faults = []domain.Fault{}
	}
	return obs
}

// Judge gives the overall posture and the faults, most severe first.
func (j *Judge) Judge(m Measurement) (domain.Posture, []domain.Fault) {
	j.mu.RLock()
	p, b := j.p, j.baseline
	j.mu.RUnlock()
	if m.HeadScore < p.MinFaceScore || m.SizeFrame < p.MinFaceFrame {
		// Nobody, or a face so small it is a passer-by or someone across the room.
		return domain.PostureAway, nil
	}
	if !m.Eyes || m.FaceWidth == 0 {
		return domain.PostureUnknown, nil // someone is there, but too little shows to judge
	}
	var fs []domain.Fault
	add := func(name domain.FaultName, sev float64, why string, args ...any) {
		if sev >= p.ReportMin {
			fs = append(fs, domain.Fault{Name: name, Severity: round2(sev), Why: fmt.Sprintf(why, args...)})
		}
	}
	M := m.Metrics
	get := func(k string) (float64, bool) { v, ok := M[k]; return v, ok }

	// Head tilt, turn: absolute angles, no baseline needed (a level camera is assumed).
	if v, ok := get(domain.MetricHeadRoll); ok {
		ref := 0.0
		if s, ok := stat(b, domain.MetricHeadRoll); ok {
			ref = s.Median
		}
		add(domain.HeadTilt, p.Tilt.Sev(math.Abs(v-ref)), "head tilted %.0f° toward a shoulder", math.Abs(v-ref))
	}
	if v, ok := get(domain.MetricHeadYaw); ok {
		ref := 0.0
		if s, ok := stat(b, domain.MetricHeadYaw); ok {
			ref = s.Median
		}
		dir := "right"
		if v-ref < 0 {
			dir = "left"
		}
		add(domain.HeadTurn, p.Turn.Sev(math.Abs(v-ref)), "head turned to the image %s (nose %.2f eye-widths off centre)", dir, math.Abs(v-ref))
	}

	// Pitch: head back (chin up) and head down.
	fh, hasFH := get(domain.MetricFaceHeight)
	pitch, hasPitch := get(domain.MetricHeadPitch)
	var back, down float64
	if sfh, ok := stat(b, domain.MetricFaceHeight); ok && hasFH {
		d := fh - sfh.Median
		back = p.DFaceHeight.Sev(d)
		down = Ramp{-p.DFaceHeight.Onset, -p.DFaceHeight.Full}.Sev(d)
		if sp, ok := stat(b, domain.MetricHeadPitch); ok && hasPitch {
			back = math.Max(back, p.DPitch.Sev(pitch-sp.Median))
			down = math.Max(down, Ramp{-p.DPitch.Onset, -p.DPitch.Full}.Sev(pitch-sp.Median))
		}
	} else {
		if hasFH {
			back = p.Back.Sev(fh)
			down = p.Down.Sev(fh)
		}
		if hasPitch {
			back = math.Max(back, p.BackPitch.Sev(pitch))
			down = math.Max(down, p.DownPitch.Sev(pitch))
		}
	}
	add(domain.HeadBack, back, "chin lifted, neck extended (eye-to-nose height %.2f eye-widths)", fh)
	add(domain.HeadDown, down, "looking down (eye-to-nose height %.2f eye-widths)", fh)

	// Leaning in: the face fills the frame.
	ff := M[domain.MetricFaceFrame]
	var close float64
	if s, ok := stat(b, domain.MetricFaceFrame); ok {
		close = p.DFaceFrame.Sev(ff/s.Median - 1)
	} else {
		close = p.Close.Sev(ff)
	}
	if m.ShouldersOut {
		close = math.Max(close, p.CloseNoShoulders.Sev(ff))
	}
	add(domain.TooClose, close, "face fills %.0f%% of the frame width (leaning in to the screen)", 100*ff*2.5)

	// Forward head: neck shorter against the face, face bigger against the shoulders.
	nf, hasNF := get(domain.MetricNeckFace)
	fsr, hasFS := get(domain.MetricFaceShoulder)
	var fwd float64
	var why string
	var raised float64
	if s, ok := stat(b, domain.MetricNeckFace); ok && hasNF {
		a := p.DNeckFace.Sev(nf/s.Median - 1)
		c, grow := 0.0, 0.0
		if s2, ok := stat(b, domain.MetricFaceShoulder); ok && hasFS {
			grow = fsr/s2.Median - 1
			c = p.DFaceShoulder.Sev(grow)
		}
		// A shorter neck is the head dropping forward, or the shoulders
		// rising (a shrug): tell them apart by which end moved, in eye widths.
		rise, drop := moved(m, b, domain.MetricShoulderHeight, -1), moved(m, b, domain.MetricEyeHeight, 1)
		if rise > drop && grow < 0.05 {
			raised, a = a, 0
		}
		fwd = math.Max(a, c)
		why = fmt.Sprintf("neck %.0f%% shorter and face %.0f%% bigger against the shoulders than your baseline", 100*(1-nf/s.Median), 100*grow)
	} else if hasNF {
		fwd = p.NeckFace.Sev(nf)
		if hasFS {
			fwd = math.Max(fwd, p.FaceShoulder.Sev(fsr))
		}
		why = fmt.Sprintf("head low and forward: ear-to-shoulder height only %.1f eye-widths", nf)
	} else if m.ShouldersOut && ff >= p.CloseNoShoulders.Onset {
		fwd = p.CloseNoShoulders.Sev(ff)
		why = "head forward: leaning in so far that the shoulders left the frame"
	}
	add(domain.ForwardHead, fwd, "%s", why)

	// Rounded shoulders: shoulders narrow against the head.
	if sf, ok := get(domain.MetricShoulderFace); ok {
		var sev float64
		if s, ok := stat(b, domain.MetricShoulderFace); ok {
			sev = p.DShoulderFace.Sev(sf/s.Median - 1)
		} else {
			sev = p.ShoulderFace.Sev(sf)
		}
		add(domain.RoundedShoulders, sev, "shoulders only %.1f eye-widths across (drawn forward and in)", sf)
	}

	// Slouch: the whole upper body sinks in the frame.
	if eh, ok := get(domain.MetricEyeHeight); ok {
		var sev float64
		if s, ok := stat(b, domain.MetricEyeHeight); ok {
			// The drop in eye widths is free of the camera's distance.
			drop := (eh - s.Median) * float64(m.H) / (statOr(b, domain.MetricFaceFrame, ff) * float64(m.W))
			sev = p.DEyeDrop.Sev(drop)
		} else {
			// Where the eyes sit in the frame depends on the camera; only a
			// close camera (a laptop's, below the eyes) gives a usable default.
			sev = p.EyeLow.Sev(eh)
			if nf, ok := get(domain.MetricNeckFace); ok {
				// Two weak signs together are a strong one: either alone
				// is within what upright people show.
				sev = math.Max(sev, math.Min(p.SunkEyes.Sev(eh), p.SunkNeck.Sev(nf)))
			}
			sev *= p.CloseCamera.Sev(ff)
		}
		add(domain.Slouch, sev, "eyes at %.0f%% of the frame height (sunk in the chair)", 100*eh)
	}

	// Shoulders raised: the neck shortens because the shoulders rose (judged
	// against a baseline only: from one frame a short neck is anatomy).
	add(domain.ShouldersRaised, raised, "shoulders raised toward the ears (neck %.0f%% shorter than your baseline)", 100*(1-nf/statOr(b, domain.MetricNeckFace, nf)))
	if t, ok := get(domain.MetricShoulderTilt); ok {
		ref := 0.0
		if s, ok := stat(b, domain.MetricShoulderTilt); ok {
			ref = s.Median
		}
		add(domain.UnevenShoulders, p.ShoulderUneven.Sev(math.Abs(t-ref)), "shoulder line tilted %.0f°", math.Abs(t-ref))
	}

	domain.SortFaults(fs)
	if len(fs) > 0 && fs[0].Severity >= p.BadAt {
		return domain.PostureBad, fs
	}
	return domain.PostureGood, fs
}

// moved is how far a frame-position metric moved from the baseline, in eye
// widths of the baseline's face, signed by dir (0 when unknown).
func moved(m Measurement, b *domain.Baseline, key string, dir float64) float64 {
	v, ok := m.Metrics[key]
	s, ok2 := stat(b, key)
	ff, ok3 := stat(b, domain.MetricFaceFrame)
	if !ok || !ok2 || !ok3 || m.W == 0 {
		return 0
	}
	return dir * (v - s.Median) * float64(m.H) / (ff.Median * float64(m.W))
}

func stat(b *domain.Baseline, k string) (domain.Stat, bool) {
	if b == nil {
		return domain.Stat{}, false
	}
	s, ok := b.Metrics[k]
	return s, ok && s.N > 0 && s.Median != 0
}

func statOr(b *domain.Baseline, k string, def float64) float64 {
	if s, ok := stat(b, k); ok {
		return s.Median
	}
	return def
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
