package coach

import (
	"fmt"
	"math"
	"posturewatch/coach/domain"
	"posturewatch/coach/exercise"
	"slices"
	"sort"
	"strings"
	"time"
)

// Timing constants of the detector (not user settings).
const (
	// smoothWindow: each fault's severity is the median of the judged frames
	// of the last 4 s (by timestamp, so 2–30 fps and dropped frames give the
	// same result). A step change shows after half the window (2 s) whatever
	// its size, and in a full window a burst shorter than 2 s never shows.
	// Away and resume empty the window.
	smoothWindow = 4 * time.Second
	// maxSmoothDt caps the weight a single frame gets after a gap (stale score).
	maxSmoothDt = 3 * time.Second
	// returnAfter is how long someone must be seen again before away ends.
	returnAfter = time.Second
	// staleTau smooths the per-frame "baseline does not fit" indicator.
	staleTau = 10 * time.Second
	// switchMargin keeps the named fault of a slouching state from flickering
	// between two confirmed faults of similar severity.
	switchMargin = 0.1
	// maxCalibrationFrames bounds the memory of a calibration left running.
	maxCalibrationFrames = 3000
)

// ProvisionalHold is the longest a run of provisional frames (judged
// against the defaults while vision learns how this camera shows its sitter
// upright, domain.Observation.Provisional) keeps a camera-dependent fault
// from counting. The defaults cannot tell a camera below or above the eyes
// from a head forward or a slump: on webcam videos of people sitting well
// they named a fault 20 s in, before the session's view had formed. The
// view needs 30 frames with a shoulder in view (vision/posture's LearnMin):
// about 15 s in the live service, which samples fast until it has them
// (coach/live), a recording's frames at their own pace. The hold ends after
// 2 min all the same, so that a view slow to come (the shoulders seldom in
// view, frames far apart) does not keep a real fault from counting for long.
const ProvisionalHold = 2 * time.Minute

type faultTrack struct {
	smooth    float64
	active    bool      // smoothed severity crossed enter and has not gone below exit
	since     time.Time // when it became active
	lull      time.Time // while active and not confirmed: when smoothed severity last fell below enter (zero while above)
	confirmed bool      // active for the onset delay: counts as slouching
	// byDefaults: active, unconfirmed and camera-dependent when the
	// session's view came, so started on frames judged by the defaults
	// alone; only frames judged against the view at or above enter
	// confirm it.
	byDefaults bool
	lastNudge  time.Time
}

// Coach turns observations into events. It is NOT safe for concurrent use:
// the live service must serialise every call (Step, the commands, Status,
// Stats, TakeMinutes) with a mutex. All times are passed in; the coach never
// reads the clock.
type Coach struct {
	cfg      domain.Config
	baseline *domain.Baseline
	cat      *exercise.Catalogue

	started    bool
	state      domain.State
	stateFault domain.FaultName
	stateSince time.Time

	haveLast    bool
	lastTime    time.Time
	lastOffset  time.Duration
	lastPresent bool // the last observation showed someone
	window      []windowSample

	// faults times each fault; the sit-up faults (FaultName.SitUp) share
	// one track, timed on each frame's worst of them and named sitUpName.
	// Vision names its one sit-up score after whichever feature pushes it
	// most, and a slump held still switches names: slouch-or-not's sunk
	// frames against the session's view read a head forward on 16 of 19
	// and sunk in the chair on 3, each at full severity. Timed apart, the
	// 4 s median of each fell under exit at every switch, and two minutes
	// of slumping after two upright went without a nudge.
	faults    map[domain.FaultName]*faultTrack
	sitUpName domain.FaultName
	// sitUpSum is each sit-up fault's severity summed over the frames the
	// shared track has been active, from its window when it became so
	// (over the window while it is not): the name goes to the fault that
	// has made up most of the slump, and stays once the slump counts.
	sitUpSum map[domain.FaultName]float64
	score    int
	// provisionalSince is the first of the current run of provisional
	// judged frames; zero once a frame is judged against a learnt view or
	// a profile (ProvisionalHold).
	provisionalSince time.Time

	absentSince time.Time
	returnSince time.Time

	sittingSince  time.Time
	lastBreakNote time.Time

	paused      bool
	pausedAt    time.Time
	pausedUntil time.Time

	calibrating bool
	calFrames   []domain.Observation
	calPrev     domain.State

	nudgeTimes []time.Time
	slouchTime map[domain.FaultName]time.Duration // confirmed time per fault since the last suggestion

	staleScore     float64
	staleSince     time.Time
	staleLast      time.Time
	staleSuggested bool
	staleDismissed bool
	staleView      bool      // vision saw the camera move, and the sitter's place in the frame with it
	movePending    bool      // vision reported a camera move, not yet checked against the baseline
	moveJudged     time.Time // the first judged frame since the move was reported

	// streak is the good time counted since the state last became good:
	// time spent while a fault is being timed is not added (it is neither
	// good nor bad until decided), and does not end the streak either.
	streak time.Duration

	stats *stats
}

// New makes a coach. cfg must be valid (see Config.Validate); an invalid
// config is replaced by DefaultConfig. baseline may be nil (vision defaults);
// cat may be nil (suggestions then carry no routine).
func New(cfg domain.Config, baseline *domain.Baseline, cat *exercise.Catalogue) *Coach {
	if cfg.Validate() != nil {
		cfg = domain.DefaultConfig()
	}
	c := &Coach{cfg: cfg, baseline: baseline, cat: cat, state: domain.StateAway,
		faults: map[domain.FaultName]*faultTrack{}, sitUpName: domain.ForwardHead, sitUpSum: map[domain.FaultName]float64{},
		slouchTime: map[domain.FaultName]time.Duration{}, stats: newStats(), score: 100}
	sitUp := &faultTrack{}
	for _, f := range domain.AllFaults {
		c.faults[f] = &faultTrack{}
		if f.SitUp() {
			c.faults[f] = sitUp
		}
	}
	return c
}

// named reports whether f names its track: every fault but the sit-up
// faults other than sitUpName.
func (c *Coach) named(f domain.FaultName) bool {
	return !f.SitUp() || f == c.sitUpName
}

// Config returns the current settings.
func (c *Coach) Config() domain.Config {
	cfg := c.cfg
	cfg.Equipment = slices.Clone(cfg.Equipment) // the caller's to change
	return cfg
}

// SetConfig validates and applies new settings.
func (c *Coach) SetConfig(cfg domain.Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	c.cfg = cfg
	return nil
}

// Baseline returns the baseline in use (nil = vision defaults).
func (c *Coach) Baseline() *domain.Baseline { return c.baseline }

// SetBaseline switches to another baseline (nil = vision defaults) and clears
// any recalibration suggestion.
func (c *Coach) SetBaseline(b *domain.Baseline) {
	c.baseline = b
	c.resetStale()
	c.staleDismissed = false
}

// DismissRecalibrate clears a recalibration suggestion; it is not repeated
// for this baseline and posture nudges resume.
func (c *Coach) DismissRecalibrate() {
	c.resetStale()
	c.staleDismissed = true
}

func (c *Coach) resetStale() {
	c.staleScore, c.staleSince, c.staleLast, c.staleSuggested, c.staleView = 0, time.Time{}, time.Time{}, false, false
	c.movePending, c.moveJudged = false, time.Time{}
}

// offsetAt maps a wall time to the observations' timeline.
func (c *Coach) offsetAt(now time.Time) time.Duration {
	if !c.haveLast {
		return 0
	}
	return c.lastOffset + now.Sub(c.lastTime)
}

func (c *Coach) ev(now time.Time, t domain.EventType) domain.Event {
	return domain.Event{Time: now, Offset: domain.Sec(c.offsetAt(now)), Type: t}
}

// setState moves to a new state and returns the state event.
func (c *Coach) setState(now time.Time, s domain.State, f domain.FaultName) domain.Event {
	e := c.ev(now, domain.EventState)
	e.State, e.Fault, e.Previous = s, f, c.state
	if c.started && !c.stateSince.IsZero() {
		e.Duration = domain.Sec(now.Sub(c.stateSince))
	}
	if s == domain.StateSlouching {
		e.Severity = round3(c.faults[f].smooth)
		e.Message, _ = domain.NudgeText(f)
	}
	if s != domain.StateGood || c.state != domain.StateGood {
		c.streak = 0
	}
	c.state, c.stateFault, c.stateSince = s, f, now
	return e
}

func (c *Coach) resetFaults() {
	for _, t := range c.faults {
		t.smooth, t.active, t.since, t.lull, t.confirmed, t.byDefaults = 0, false, time.Time{}, time.Time{}, false, false
	}
	clear(c.sitUpSum)
	c.window = c.window[:0]
	c.provisionalSince = time.Time{}
	c.score = 100
}

// silenced reports whether nudges, suggestions and reminders are held back.
func (c *Coach) silenced(now time.Time) bool {
	return c.paused || c.calibrating || c.cfg.InQuietHours(now)
}

// advance attributes the time since the last call to the statistics and
// moves the timeline forward. It returns false when now is before the last time.
func (c *Coach) advance(now time.Time, offset time.Duration, haveOffset bool) {
	if !c.started {
		c.started = true
		c.stateSince = now
	}
	if c.haveLast {
		dt := now.Sub(c.lastTime)
		if dt > maxStatsStepDt {
			dt = maxStatsStepDt
		}
		if dt > 0 {
			present := c.lastPresent && (c.state == domain.StateGood || c.state == domain.StateSlouching || c.state == domain.StateCalibrating)
			// a fault being timed makes the time undecided: not good, and
			// not a fault's either unless it comes to count
			good := present && c.state == domain.StateGood && c.timed() == ""
			var fs []domain.FaultName
			if present && c.state == domain.StateSlouching {
				for _, f := range domain.AllFaults {
					if c.faults[f].confirmed && c.named(f) {
						fs = append(fs, f)
						c.slouchTime[f] += dt
					}
				}
			}
			var streak time.Duration
			if good {
				c.streak += dt
				streak = c.streak
			}
			c.stats.addTime(c.lastTime, dt, present, good, fs, streak)
		}
	}
	if !c.haveLast || !now.Before(c.lastTime) {
		if haveOffset {
			c.lastOffset = offset
		} else {
			c.lastOffset = c.offsetAt(now)
		}
		c.lastTime = now
		c.haveLast = true
	}
}

// Step feeds one observation taken at now and returns the events it causes.
func (c *Coach) Step(obs domain.Observation, now time.Time) []domain.Event {
	var evs []domain.Event
	if c.paused && !now.Before(c.pausedUntil) {
		c.advance(c.pausedUntil, 0, false)
		evs = append(evs, c.resume(c.pausedUntil)...)
	}
	c.advance(now, obs.Offset, true)
	if c.paused {
		c.lastPresent = false
		return evs
	}
	present := obs.Posture != domain.PostureAway
	judged := present && obs.Posture != domain.PostureUnknown && obs.Confidence >= c.cfg.MinConfidence
	c.lastPresent = present
	if obs.CameraMoved && c.baseline != nil {
		c.movePending, c.moveJudged = true, time.Time{} // checked on the judged frames from now (updateStale)
	}

	if c.calibrating {
		if len(c.calFrames) < maxCalibrationFrames { // ComputeBaseline rejects the unusable ones
			c.calFrames = append(c.calFrames, obs)
		}
		return evs
	}

	// Presence.
	if !present {
		c.returnSince = time.Time{}
		if c.absentSince.IsZero() {
			c.absentSince = now
		}
		if c.state != domain.StateAway && now.Sub(c.absentSince) >= c.cfg.AwayAfter.D() {
			evs = append(evs, c.setState(now, domain.StateAway, ""))
			c.resetFaults()
		}
		if c.state == domain.StateAway && !c.sittingSince.IsZero() && now.Sub(c.absentSince) >= c.cfg.BreakLength.D() {
			e := c.ev(now, domain.EventSitting)
			e.Duration = domain.Sec(c.absentSince.Sub(c.sittingSince))
			e.Message = fmt.Sprintf("You took a break after %s of sitting.", humanDur(e.Duration.D()))
			evs = append(evs, e)
			c.sittingSince = time.Time{}
		}
		return evs
	}
	c.absentSince = time.Time{}
	if c.state == domain.StateAway {
		if c.returnSince.IsZero() {
			c.returnSince = now
		}
		if now.Sub(c.returnSince) < returnAfter && c.stateSince.Before(now) {
			return evs
		}
		c.resetFaults()
		// the confirmation second was already presence
		c.stats.addTime(c.returnSince, now.Sub(c.returnSince), true, true, nil, 0)
		evs = append(evs, c.setState(now, domain.StateGood, ""))
		if c.sittingSince.IsZero() {
			c.sittingSince = c.returnSince
		}
		c.returnSince = time.Time{}
	}
	if c.sittingSince.IsZero() {
		c.sittingSince = now
	}

	if judged {
		c.updateFaults(obs, now)
		c.updateStale(obs, now)
		evs = append(evs, c.updateState(now)...)
	}
	if e, ok := c.staleEvent(now); ok {
		evs = append(evs, e)
	}
	evs = append(evs, c.nudges(now)...)
	evs = append(evs, c.sittingReminder(now)...)
	return evs
}

// windowSample is one judged frame's fault severities.
type windowSample struct {
	t           time.Time
	sev         []float64 // in AllFaults order
	provisional bool      // judged against the defaults while the camera's view was learnt
}

func (c *Coach) updateFaults(obs domain.Observation, now time.Time) {
	switch {
	case !obs.Provisional && !c.provisionalSince.IsZero():
		// The view has come: what the defaults made of the frames before
		// it no longer speaks for them. The faults they started keep their
		// start; the first frames judged against the view decide whether
		// they go on.
		c.provisionalSince = time.Time{}
		c.window = slices.DeleteFunc(c.window, func(w windowSample) bool { return w.provisional })
		for f, t := range c.faults {
			t.byDefaults = t.active && !t.confirmed && f.CameraDependent()
		}
	case obs.Provisional && c.provisionalSince.IsZero():
		c.provisionalSince = now
	}
	held := c.provisionalHeld(now)
	ws := windowSample{t: now, sev: make([]float64, len(domain.AllFaults)), provisional: obs.Provisional}
	for i, f := range domain.AllFaults {
		x := obs.Fault(f)
		if math.IsNaN(x) {
			x = 0
		}
		ws.sev[i] = math.Max(0, math.Min(1, x))
	}
	keep := c.window[:0]
	for _, w := range c.window {
		if now.Sub(w.t) < smoothWindow && !w.t.After(now) {
			keep = append(keep, w)
		}
	}
	c.window = append(keep, ws)
	vals := make([]float64, len(c.window))
	worst := 0.0
	for i, f := range domain.AllFaults {
		if f.SitUp() {
			continue
		}
		for j, w := range c.window {
			vals[j] = w.sev[i]
		}
		worst = math.Max(worst, c.time(c.faults[f], f, vals, now, held))
	}
	// The sit-up faults: each frame's worst of them, named as sitUpName says.
	sitUp := c.faults[c.sitUpName]
	for j, w := range c.window {
		vals[j] = 0
		for i, f := range domain.AllFaults {
			if f.SitUp() {
				vals[j] = math.Max(vals[j], w.sev[i])
			}
		}
	}
	c.nameSitUp(sitUp, ws)
	worst = math.Max(worst, c.time(sitUp, c.sitUpName, vals, now, held))
	c.score = int(math.Round(100 * (1 - worst)))
}

// time updates one track from its severities over the window (vals) and
// returns its smoothed severity.
func (c *Coach) time(t *faultTrack, f domain.FaultName, vals []float64, now time.Time, held bool) float64 {
	t.smooth = domain.Median(vals)
	enter, exit := thresholds(c.cfg, f)
	onset := c.onsetOf(f)
	switch {
	case !t.active && t.smooth >= enter:
		t.active, t.since, t.lull = true, now, time.Time{}
	case t.active && t.smooth < exit:
		t.active, t.confirmed, t.since, t.lull, t.byDefaults = false, false, time.Time{}, time.Time{}, false
	case t.active && !t.confirmed && t.smooth >= enter:
		t.lull = time.Time{}
	case t.active && !t.confirmed && t.lull.IsZero():
		t.lull = now
	case t.active && !t.confirmed && now.Sub(t.lull) >= onset/2:
		// Hovering between exit and enter for half the onset: the
		// fault that crossed enter did not stay. Its clock starts
		// again when it next crosses (a posture at the line, through
		// a camera that makes it look worse, was otherwise nudged
		// once the median touched enter and never fell to exit).
		t.active, t.since, t.lull, t.byDefaults = false, time.Time{}, time.Time{}, false
	}
	// A fault the camera's place can fake counts only once a frame
	// judged against the session's view (or the hold's end) confirms
	// it; by then it has usually lasted its onset, and counts at once
	// if the frames judged against the view are at enter. Hovering
	// between exit and enter does not confirm what the defaults
	// started: Grace Hopper's portrait mirrored and cut to its top
	// 90 %, moving, read a head forward by the defaults for the
	// view's first 15 s; against the view her frames read 0–0.78, most
	// under the line, their median between exit and enter, and she
	// was nudged at 20 s when the onset ran out on that hover.
	//
	// And it counts only on a frame that still shows it, at the level it
	// entered by: the median lags the frames by up to half its window, and
	// a fault put right just before its onset ran out was nudged for a
	// posture already corrected (coach/testdata/corrected.trace; two of
	// slouch-or-not's sessions of sitting well, held 10 s, nudged 1.5 s
	// after a misread head forward ended). From the exit level, a frame
	// half put right, which the verdict calls good, still confirmed it
	// (half-corrected.trace): the masked person's "limit of acceptable"
	// forward head seen 1.15 times as near, mirrored, was nudged at 126.5 s
	// on a frame at 0.30 while the dashboard showed her good (now at 130 s,
	// on a frame at 0.76). Slumps held still are nudged up to 3.5 s later.
	still := len(vals) > 0 && vals[len(vals)-1] >= enter
	if t.active && !t.confirmed && now.Sub(t.since) >= onset && !(held && f.CameraDependent()) && !(t.byDefaults && t.smooth < enter) && still {
		t.confirmed, t.byDefaults = true, false
	}
	return t.smooth
}

// nameSitUp names the sit-up track after the frame ws: while the track is
// unconfirmed, after the sit-up fault with the most severity summed over
// its active frames (over the window while it is not active), the name it
// has keeping a tie. Once the slump counts its name stays, so that the
// state, the nudge and the time per fault speak of one fault.
func (c *Coach) nameSitUp(t *faultTrack, ws windowSample) {
	if t.confirmed {
		return
	}
	add := func(w windowSample) {
		for i, f := range domain.AllFaults {
			if f.SitUp() {
				c.sitUpSum[f] += w.sev[i]
			}
		}
	}
	if t.active {
		add(ws)
	} else {
		// Not timed yet: the sums start from the window (ws the last of
		// it), as they will should the track become active on this frame.
		clear(c.sitUpSum)
		for _, w := range c.window {
			add(w)
		}
	}
	for _, f := range domain.AllFaults {
		if f.SitUp() && c.sitUpSum[f] > c.sitUpSum[c.sitUpName] {
			c.sitUpName = f
		}
	}
}

// updateState derives good / slouching(fault) from the confirmed faults.
func (c *Coach) updateState(now time.Time) []domain.Event {
	var best domain.FaultName
	bestSev := -1.0
	for _, f := range domain.AllFaults {
		t := c.faults[f]
		if t.confirmed && t.smooth > bestSev && c.named(f) {
			best, bestSev = f, t.smooth
		}
	}
	if best == "" {
		if c.state != domain.StateGood {
			return []domain.Event{c.setState(now, domain.StateGood, "")}
		}
		return nil
	}
	if c.state == domain.StateSlouching {
		cur := c.faults[c.stateFault]
		if cur.confirmed && bestSev < cur.smooth+switchMargin {
			return nil
		}
	}
	return []domain.Event{c.setState(now, domain.StateSlouching, best)}
}

// nudges fires the nudge for the named fault of a slouching state, and the
// suggestion after repeated nudges.
func (c *Coach) nudges(now time.Time) []domain.Event {
	if c.state != domain.StateSlouching || c.silenced(now) || c.staleSuppressed() {
		return nil
	}
	f := c.stateFault
	t := c.faults[f]
	if !t.lastNudge.IsZero() && now.Sub(t.lastNudge) < c.cfg.Cooldown.D() {
		return nil
	}
	t.lastNudge = now
	e := c.ev(now, domain.EventNudge)
	e.Fault, e.Severity = f, round3(t.smooth)
	_, fix := domain.NudgeText(f)
	e.Message, e.Fix = domain.NudgeMessage(f), fix
	evs := []domain.Event{e}
	c.stats.count(now, func(b *domain.Bucket) { b.Nudges++ })

	keep := c.nudgeTimes[:0]
	for _, nt := range c.nudgeTimes {
		if now.Sub(nt) < c.cfg.RepeatWindow.D() {
			keep = append(keep, nt)
		}
	}
	c.nudgeTimes = append(keep, now)
	if len(c.nudgeTimes) >= c.cfg.RepeatNudges {
		evs = append(evs, c.suggestion(now))
		c.nudgeTimes = nil
		c.slouchTime = map[domain.FaultName]time.Duration{}
	}
	return evs
}

// suggestion builds a stretch-break suggestion weighted by minutes per fault.
func (c *Coach) suggestion(now time.Time) domain.Event {
	e := c.ev(now, domain.EventSuggestion)
	e.Faults = map[domain.FaultName]float64{}
	for f, d := range c.slouchTime {
		if d > 0 {
			e.Faults[f] = round3(d.Minutes())
		}
	}
	if len(e.Faults) == 0 && c.stateFault != "" {
		e.Faults[c.stateFault] = 1
	}
	top := topFault(e.Faults)
	e.Fault = top
	e.Message = fmt.Sprintf("You have slouched %d times in the last %s, mostly %s. A short stretch break helps.",
		c.cfg.RepeatNudges, humanDur(c.cfg.RepeatWindow.D()), domain.FaultLabel(top))
	c.stats.count(now, func(b *domain.Bucket) { b.BreaksSuggested++ })
	if c.cat == nil {
		e.Error = "no stretch catalogue loaded"
		return e
	}
	// A suggestion follows nudges at the desk: the user sits there now.
	r, err := c.cat.Routine(exercise.RoutineRequest{Faults: e.Faults, Equipment: c.cfg.Equipment, DeskOnly: c.cfg.DeskOnly,
		AtDesk: true, MaxDuration: c.cfg.RoutineMax.D()})
	if err != nil {
		e.Error = fmt.Sprintf("no routine: %v", err)
		return e
	}
	e.Routine = &r
	return e
}

func topFault(w map[domain.FaultName]float64) domain.FaultName {
	var best domain.FaultName
	bv := -1.0
	for _, f := range domain.AllFaults {
		if v, ok := w[f]; ok && v > bv {
			best, bv = f, v
		}
	}
	return best
}

func (c *Coach) sittingReminder(now time.Time) []domain.Event {
	if c.cfg.SittingReminder.D() <= 0 || c.sittingSince.IsZero() || c.silenced(now) {
		return nil
	}
	sat := now.Sub(c.sittingSince)
	if sat < c.cfg.SittingReminder.D() {
		return nil
	}
	if !c.lastBreakNote.IsZero() && !c.lastBreakNote.Before(c.sittingSince) && now.Sub(c.lastBreakNote) < c.cfg.SittingReminder.D() {
		return nil
	}
	c.lastBreakNote = now
	e := c.ev(now, domain.EventBreak)
	e.Duration = domain.Sec(sat)
	e.Message = fmt.Sprintf("You have been sitting for %s. Stand up, walk a few steps and look into the distance.", humanDur(sat))
	c.stats.count(now, func(b *domain.Bucket) { b.BreaksSuggested++ })
	return []domain.Event{e}
}

// Pause stops monitoring and all alerts until the given time (Step resumes
// by itself once an observation at or after until arrives). Pausing again
// moves the end.
func (c *Coach) Pause(until, now time.Time) ([]domain.Event, error) {
	if !until.After(now) {
		return nil, domain.Errorf(domain.EINVALID, "pause: until %s is not after now %s", until.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	c.advance(now, 0, false)
	var evs []domain.Event
	if c.calibrating {
		evs = append(evs, c.cancelCalibration(now, "paused")...)
	}
	e := c.ev(now, domain.EventPaused)
	e.Until, e.Duration = until, domain.Sec(until.Sub(now))
	e.Message = fmt.Sprintf("Paused for %s.", humanDur(e.Duration.D()))
	evs = append(evs, e)
	c.pausedUntil = until
	if !c.paused {
		c.paused, c.pausedAt = true, now
		evs = append(evs, c.setState(now, domain.StatePaused, ""))
		c.resetFaults()
		c.lastPresent = false
	}
	return evs, nil
}

// Resume ends a pause now. It returns nil when not paused.
func (c *Coach) Resume(now time.Time) []domain.Event {
	if !c.paused {
		return nil
	}
	c.advance(now, 0, false)
	return c.resume(now)
}

func (c *Coach) resume(now time.Time) []domain.Event {
	c.paused = false
	e := c.ev(now, domain.EventResumed)
	e.Duration = domain.Sec(now.Sub(c.pausedAt))
	e.Message = "Monitoring again."
	evs := []domain.Event{e}
	if !c.sittingSince.IsZero() && now.Sub(c.pausedAt) >= c.cfg.BreakLength.D() {
		s := c.ev(now, domain.EventSitting)
		s.Duration = domain.Sec(c.pausedAt.Sub(c.sittingSince))
		s.Message = fmt.Sprintf("You took a break after %s of sitting.", humanDur(s.Duration.D()))
		evs = append(evs, s)
		c.sittingSince = time.Time{}
	}
	c.resetFaults()
	c.absentSince, c.returnSince = time.Time{}, time.Time{}
	evs = append(evs, c.setState(now, domain.StateGood, ""))
	return evs
}

// StartCalibration begins collecting good-posture frames.
func (c *Coach) StartCalibration(now time.Time) ([]domain.Event, error) {
	if c.paused {
		return nil, domain.Errorf(domain.ECONFLICT, "calibration: monitoring is paused; resume first")
	}
	c.advance(now, 0, false)
	if c.calibrating {
		c.calFrames = nil
		e := c.ev(now, domain.EventCalibration)
		e.Calibration, e.Message = "started", "Calibration restarted: sit upright, facing the screen."
		return []domain.Event{e}, nil
	}
	c.calibrating, c.calFrames, c.calPrev = true, nil, c.state
	e := c.ev(now, domain.EventCalibration)
	e.Calibration, e.Message = "started", "Calibration: sit upright, facing the screen, shoulders relaxed."
	return []domain.Event{e, c.setState(now, domain.StateCalibrating, "")}, nil
}

// CalibrationFrames returns how many usable frames the running calibration
// has (MinCalibrationFrames are needed).
func (c *Coach) CalibrationFrames() int {
	n := 0
	for _, o := range c.calFrames {
		if o.Usable(c.cfg.MinConfidence) {
			n++
		}
	}
	return n
}

// CancelCalibration stops a running calibration without changing the baseline.
func (c *Coach) CancelCalibration(now time.Time) []domain.Event {
	if !c.calibrating {
		return nil
	}
	c.advance(now, 0, false)
	return c.cancelCalibration(now, "cancelled")
}

func (c *Coach) cancelCalibration(now time.Time, why string) []domain.Event {
	c.calibrating, c.calFrames = false, nil
	e := c.ev(now, domain.EventCalibration)
	e.Calibration, e.Message = "cancelled", "Calibration "+why+"."
	c.resetFaults()
	return []domain.Event{e, c.setState(now, c.afterCalibration(), "")}
}

func (c *Coach) afterCalibration() domain.State {
	if c.calPrev == domain.StateAway {
		return domain.StateAway
	}
	return domain.StateGood
}

// FinishCalibration ends the calibration and, when enough usable frames were
// seen, makes a baseline named name, switches to it and returns it. With too
// few usable frames it returns an error, keeps the old baseline, and ends the
// calibration all the same (start again to redo it).
func (c *Coach) FinishCalibration(name string, now time.Time) (*domain.Baseline, []domain.Event, error) {
	if !c.calibrating {
		return nil, nil, domain.Errorf(domain.ECONFLICT, "calibration: none in progress; start one first")
	}
	c.advance(now, 0, false)
	frames := c.calFrames
	c.calibrating, c.calFrames = false, nil
	c.resetFaults()
	b, err := domain.ComputeBaseline(name, frames, c.cfg.MinConfidence, now)
	e := c.ev(now, domain.EventCalibration)
	if err != nil {
		e.Calibration, e.Error = "failed", err.Error()
		e.Message = "Calibration failed: " + strings.TrimPrefix(err.Error(), "calibration: ")
		return nil, []domain.Event{e, c.setState(now, c.afterCalibration(), "")}, err
	}
	c.SetBaseline(b)
	e.Calibration, e.Baseline = "finished", b
	e.Message = fmt.Sprintf("Calibrated %q from %d frames.", b.Name, b.Frames)
	return b, []domain.Event{e, c.setState(now, c.afterCalibration(), "")}, nil
}

// RoutineDone records that the user finished a stretch routine: it counts as
// a break done and restarts the sitting timer.
func (c *Coach) RoutineDone(routineID string, now time.Time) []domain.Event {
	c.advance(now, 0, false)
	c.stats.count(now, func(b *domain.Bucket) { b.BreaksDone++ })
	if !c.sittingSince.IsZero() {
		c.sittingSince = now
	}
	c.nudgeTimes = nil
	e := c.ev(now, domain.EventStretch)
	e.Message = "Stretch break done. Well done."
	if routineID != "" {
		e.Message = fmt.Sprintf("Routine %s done. Well done.", routineID)
	}
	return []domain.Event{e}
}

// ExerciseDone records one finished exercise of a routine.
func (c *Coach) ExerciseDone(exerciseID string, now time.Time) []domain.Event {
	c.advance(now, 0, false)
	e := c.ev(now, domain.EventStretch)
	e.Exercise = exerciseID
	e.Message = "Exercise done."
	return []domain.Event{e}
}

// Status reports the current state as of now.
func (c *Coach) Status(now time.Time) domain.Status {
	s := domain.Status{At: now, State: c.state, Fault: c.stateFault, Since: c.stateSince, Score: c.score,
		GoodTodayS: c.stats.goodToday(now).Seconds(), Quiet: c.cfg.InQuietHours(now),
		Baseline: "defaults", RecalibrateSuggested: c.staleSuggested, CalibrationFrames: c.CalibrationFrames()}
	if !c.stateSince.IsZero() {
		s.ForS = round3(now.Sub(c.stateSince).Seconds())
	}
	if c.baseline != nil {
		s.Baseline = c.baseline.Name
	}
	if c.paused {
		s.PausedUntil = c.pausedUntil
	}
	if c.state == domain.StateGood {
		s.StreakS = round3(c.streak.Seconds())
	}
	if c.state == domain.StateGood || c.state == domain.StateSlouching {
		s.Watching = c.watch(now)
	}
	if !c.sittingSince.IsZero() && c.state != domain.StateAway && c.state != domain.StatePaused {
		s.SittingS = round3(now.Sub(c.sittingSince).Seconds())
	}
	if c.state == domain.StateGood || c.state == domain.StateSlouching {
		for _, f := range domain.AllFaults {
			t := c.faults[f]
			if _, exit := thresholds(c.cfg, f); (t.smooth >= exit || t.active) && c.named(f) {
				fs := domain.FaultStatus{Name: f, Severity: round3(t.smooth), Active: t.active, Confirmed: t.confirmed}
				if t.active {
					fs.ForS = round3(now.Sub(t.since).Seconds())
				}
				s.Faults = append(s.Faults, fs)
			}
		}
		sort.SliceStable(s.Faults, func(i, j int) bool { return s.Faults[i].Severity > s.Faults[j].Severity })
	} else {
		s.Score = 0
		if c.state == domain.StateCalibrating {
			s.Score = 100
		}
	}
	return s
}

// timed is the fault being timed that the dashboard names: the most severe
// fault above its threshold that does not count yet (nil when none).
func (c *Coach) timed() domain.FaultName {
	var best domain.FaultName
	bestSev := -1.0
	for _, f := range domain.AllFaults {
		if t := c.faults[f]; t.active && !t.confirmed && t.smooth > bestSev && c.named(f) {
			best, bestSev = f, t.smooth
		}
	}
	return best
}

// provisionalHeld reports whether the last judged frame was provisional and
// the run of them is younger than ProvisionalHold.
func (c *Coach) provisionalHeld(now time.Time) bool {
	return !c.provisionalSince.IsZero() && now.Sub(c.provisionalSince) < ProvisionalHold
}

// onsetOf is how long f must last to count as slouching.
func (c *Coach) onsetOf(f domain.FaultName) time.Duration {
	return max(c.cfg.OnsetDelay.D(), minOnset(f))
}

// watch describes the fault being timed, as of now.
func (c *Coach) watch(now time.Time) *domain.Watch {
	f := c.timed()
	if f == "" {
		return nil
	}
	t := c.faults[f]
	w := &domain.Watch{Fault: f, Since: t.since, ForS: round3(now.Sub(t.since).Seconds()),
		OnsetS: round3(c.onsetOf(f).Seconds())}
	// the nudge comes when it counts, unless something holds it then; while
	// another fault is already named the state (and its nudge) stay with it
	counts := t.since.Add(c.onsetOf(f))
	w.Nudge = c.state == domain.StateGood && !c.silenced(now) && !c.staleSuppressed() &&
		(t.lastNudge.IsZero() || counts.Sub(t.lastNudge) >= c.cfg.Cooldown.D())
	w.AwaitsView = c.provisionalHeld(now) && f.CameraDependent()
	return w
}

// humanDur renders a duration for messages: "50 min", "1 h 5 min", "45 s".
func humanDur(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Round(time.Second).Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Round(time.Minute).Minutes()))
	default:
		d = d.Round(time.Minute)
		h := int(d.Hours())
		m := int(d.Minutes()) - 60*h
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	}
}

// round3 rounds to three decimals (milliseconds, or severities the dashboard shows).
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
