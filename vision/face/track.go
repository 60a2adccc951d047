package face

import (
	"math"
	"time"
)

// TrackOptions decide when to stop following a face from its previous mesh
// and run the detector again. The library tracks the same way (its cached
// boxes in facemesh.ts): it keeps a face while the mesh is accepted, and
// re-runs the detector after skipFrames (99) frames or skipTime (2.5 s),
// whichever comes first. The frame and size checks are ours.
type TrackOptions struct {
	// MinScore: drop when the mesh presence score is below it (library
	// face.detector.minConfidence, 0.2).
	MinScore float64
	// MinVisible: drop when less than this fraction of the mesh points lie
	// inside the frame: the crop would be mostly border.
	MinVisible float64
	// MinFaceSide: drop when the mesh's longer extent is below this many
	// source pixels: too small for the mesh to mean anything.
	MinFaceSide float64
	// MaxFrames and MaxAge force a fresh detection so that newcomers (a
	// second person) are seen; 0 disables each.
	MaxFrames int
	MaxAge    time.Duration
}

// DefaultTrackOptions follow the library's thresholds and refresh interval.
func DefaultTrackOptions() TrackOptions {
	return TrackOptions{MinScore: DefaultMinMeshScore, MinVisible: 0.5, MinFaceSide: 32, MaxFrames: 99, MaxAge: 2500 * time.Millisecond}
}

// DropReason says why tracking should stop; KeepTracking means it need not.
type DropReason int

// Reasons to stop tracking, checked in this order.
const (
	KeepTracking DropReason = iota
	DropLowScore
	DropOutOfFrame
	DropTooSmall
	DropStale
)

func (r DropReason) String() string {
	switch r {
	case KeepTracking:
		return "keep tracking"
	case DropLowScore:
		return "mesh score too low"
	case DropOutOfFrame:
		return "face leaving the frame"
	case DropTooSmall:
		return "face too small"
	case DropStale:
		return "time for a fresh detection"
	}
	return "unknown"
}

// DropTracking tells whether the next frame should run the detector instead
// of cropping from m (the mesh just decoded on a frameWidth×frameHeight
// frame). framesSinceDetect and sinceDetect count from the last detector run.
func (o TrackOptions) DropTracking(m *Mesh, frameWidth, frameHeight, framesSinceDetect int, sinceDetect time.Duration) DropReason {
	if !(m.Score >= o.MinScore) {
		return DropLowScore
	}
	inside := 0
	for _, p := range m.Points {
		if p.X >= 0 && p.Y >= 0 && p.X < float64(frameWidth) && p.Y < float64(frameHeight) {
			inside++
		}
	}
	if float64(inside) < o.MinVisible*NumMeshPoints {
		return DropOutOfFrame
	}
	b := m.Bounds()
	if !(math.Max(b.Width(), b.Height()) >= o.MinFaceSide) {
		return DropTooSmall
	}
	if (o.MaxFrames > 0 && framesSinceDetect >= o.MaxFrames) || (o.MaxAge > 0 && sinceDetect >= o.MaxAge) {
		return DropStale
	}
	return KeepTracking
}
