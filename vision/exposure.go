package vision

// A webcam in a dim room (the evening, lit by the screen alone) gives frames
// far darker than any development photo, whose darkest mean brightness is 55
// (0–255). Darkened to a mean of 15, with a dim sensor's noise (σ 3 grey
// levels, seeded), all 102 of the masked person's frames and 100 of 140 desk
// frames were unknown ("too dark"), and at a mean of 25 12 desk frames were.
// The models were not what failed: the rule for a covered lens took them for
// pictures without detail, as a frame's spread of brightness shrinks with its
// brightness (at a mean of 15 it is about 5, under the 6 that marks a flat
// picture). Flatness is now judged after the gain a camera's exposure would
// give the frame (exposureGain): 1 of those 242 frames is lost at 25 and none
// at 15 (TestDimFramesKeepThePerson).
//
// Below a mean of 30 the models also see a copy brightened (modelGain); the
// frame the caller owns, shows and records is untouched. Summed over three
// noise draws, of the masked person's 102 frames, 140 desk and 65
// slouch-or-not frames darkened to a mean of 25, the class changed for 21, 28
// and 24 with it against 19, 43 and 23 without; brightened straight to a mean
// of 100 (a gain of 4), for 9, 31 and 39: the full gain amplifies the noise
// the small slouch-or-not crops are sensitive to, so it is reached only at a
// mean of 20. At a mean of 15 the copy changed 11 of the 102 and 36 of the
// 140, against 21 and 49 (one draw). A gain rather than a gamma curve: a
// gamma lifting the same frames to the same mean changed more (38 of the 102
// at 15, against 12), as it bends the contrast the models read edges from. No
// development photo is dark enough for either rule, so the fitted parameters
// stand.
const (
	dimMean = 30.0  // mean brightness below which the models get a brightened copy
	litMean = 100.0 // the mean the copy is brought to
	maxGain = 8.0   // at most: a nearly black frame is noise, not a picture
)

// exposureGain brings a frame of this mean brightness to litMean, as a
// camera's exposure would: between 1 (a bright frame is not darkened) and
// maxGain.
func exposureGain(mean float64) float64 {
	if !(mean > 0) {
		return maxGain
	}
	return max(1, min(maxGain, litMean/mean))
}

// A washed-out picture (a hazy or smudged lens, glare across it, a camera
// that lifts its blacks) keeps its brightness but loses its contrast. The
// development photos' spread of brightness is 37–77; with their contrast
// cut to 0.4 about a light grey (90 + 0.4·v: spread 15–31), 12 of the
// masked person's 102 frames, 13 of 140 desk frames and 24 of 65
// slouch-or-not frames changed class, most of them slumps whose shoulders
// the body model no longer placed. A bright picture flatter than
// washedSpread is shown to the models stretched about its mean to that
// spread, at most maxStretch times: 4, 4 and 7 change
// (TestWashedOutFramesKeepTheirClass). With a milder haze (60 + 0.6·v) and
// with σ 3 of sensor noise on the flat frames, the changes fell from 26 to
// 18 and from 62 to 39 of 446 frames. Stretched to a spread of 45, 3, 4 and
// 5 changed, but the copies of more development photos as taken: 40 is the
// bottom of their range (37–77) and touches the fewest. A dim picture's
// small spread is its dimness, not haze: the gain above deals with it, and a
// stretch about a dark mean would clip its shadows. Between the two the
// stretch grows with the mean from washedFrom to washedFull, so a picture
// whose brightness hovers about a line does not reach the models stretched
// 3× on one frame and as it is on the next.
const (
	washedFrom   = 60.0 // mean brightness from which a flat picture starts to count as washed out rather than dim
	washedFull   = 90.0 // … and from which it is stretched fully
	washedSpread = 40.0 // the spread the models' copy of a washed-out picture is brought to
	maxStretch   = 3.0  // at most: a flatter picture's detail is mostly noise
)

// modelLevels is the linear map v → alpha·v + beta the models' copy of a
// frame of this mean brightness and spread gets: the dim frame's gain
// (modelGain) or the washed-out frame's stretch about its mean; (1, 0)
// leaves the frame as it is.
func modelLevels(mean, spread float64) (alpha, beta float64) {
	if g := modelGain(mean); g > 1 {
		return g, 0
	}
	if mean <= washedFrom || !(spread > 0) || spread >= washedSpread {
		return 1, 0
	}
	t := min(1, (mean-washedFrom)/(washedFull-washedFrom))
	k := 1 + t*(min(maxStretch, washedSpread/spread)-1)
	return k, mean * (1 - k)
}

// modelGain is the gain the models' copy of a frame of this mean brightness
// gets; 1 leaves the frame as it is. It grows smoothly from 1 at dimMean to
// the full exposure gain at darkMean, so a room whose brightness hovers
// about the line does not show the models a picture that jumps by 3× from
// one frame to the next.
func modelGain(mean float64) float64 {
	if mean >= dimMean {
		return 1
	}
	t := min(1, (dimMean-mean)/(dimMean-darkMean))
	return min(exposureGain(mean), (dimMean+t*(litMean-dimMean))/mean)
}
