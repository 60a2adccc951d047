package coach

import (
	"math"
	"time"

	"posturewatch/coach/domain"
)

// thresholds returns the enter and exit levels of smoothed severity for a fault.
func thresholds(c domain.Config, f domain.FaultName) (enter, exit float64) {
	enter, exit = 0.5, 0.3
	switch f {
	case domain.HeadTilt, domain.UnevenShoulders, domain.HeadTurn:
		// noisier, and often harmless for a moment: a little higher
		enter, exit = 0.6, 0.4
	}
	switch c.Sensitivity {
	case domain.SensitivityLow:
		enter, exit = math.Min(enter*1.3, 0.9), math.Min(exit*1.3, 0.75)
	case domain.SensitivityHigh:
		enter, exit = enter*0.7, exit*0.7
	}
	return enter, exit
}

// minOnset is the least onset for faults that brief glances produce (looking
// at the keyboard, turning to someone): they never count in under this time,
// whatever OnsetDelay says.
func minOnset(f domain.FaultName) time.Duration {
	switch f {
	case domain.HeadDown, domain.HeadTurn:
		return 8 * time.Second
	}
	return 0
}
