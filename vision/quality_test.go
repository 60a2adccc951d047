package vision

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"posturewatch/coach/domain"

	"gocv.io/x/gocv"
)

// webcamCopy is a frame as a cheaper camera, or the way it reaches us,
// would give it.
type webcamCopy struct {
	name string
	make func(t *testing.T, img gocv.Mat, seed uint64) gocv.Mat
}

var (
	// A webcam's MJPEG stream, or a photo saved small for the web:
	// JPEG at quality 50, its blocks and ringing on the shoulders' edges.
	compressedCopy = webcamCopy{"compressed", func(t *testing.T, img gocv.Mat, _ uint64) gocv.Mat { return jpegCopy(t, img, 50) }}
	// A dim room's sensor noise of σ 6 grey levels on each channel of each
	// pixel (seeded by the frame, so a run is the same as the last).
	noisyCopy = webcamCopy{"noisy", func(t *testing.T, img gocv.Mat, seed uint64) gocv.Mat {
		return withNoise(t, img, 6, rand.New(rand.NewPCG(seed, 6)))
	}}
	// A monochrome camera (an infrared face-login camera, or a colour one
	// in its night mode): grey in all three channels.
	monochromeCopy = webcamCopy{"monochrome", func(t *testing.T, img gocv.Mat, _ uint64) gocv.Mat {
		grey, out := gocv.NewMat(), gocv.NewMat()
		defer grey.Close()
		gocv.CvtColor(img, &grey, gocv.ColorBGRToGray)
		gocv.CvtColor(grey, &out, gocv.ColorGrayToBGR)
		return out
	}}
)

// jpegCopy is img saved as a JPEG at quality q and read back.
func jpegCopy(t testing.TB, img gocv.Mat, q int) gocv.Mat {
	t.Helper()
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, img, []int{gocv.IMWriteJpegQuality, q})
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Close()
	out, err := gocv.IMDecode(buf.GetBytes(), gocv.IMReadColor)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// withNoise is img with each channel of each pixel moved by a normal
// amount of spread sigma drawn from rng, rounded and clipped as a
// camera's bytes are.
func withNoise(t testing.TB, img gocv.Mat, sigma float64, rng *rand.Rand) gocv.Mat {
	t.Helper()
	px := img.ToBytes()
	for i, v := range px {
		px[i] = uint8(min(255, max(0, math.Round(float64(v)+sigma*rng.NormFloat64()))))
	}
	onGo, err := gocv.NewMatFromBytes(img.Rows(), img.Cols(), gocv.MatTypeCV8UC3, px)
	if err != nil {
		t.Fatal(err)
	}
	defer onGo.Close()
	return onGo.Clone() // in OpenCV's memory, not the Go slice's
}

// A webcam's picture is rarely a clean photograph: it is compressed, noisy
// in a dim room, sometimes grey. Every tenth desk frame (140) and the 65
// slouch-or-not frames, 224² crops whose shoulders the body model places
// less surely than on a larger frame, compressed, noisy or grey, and the
// masked person's frames (every second of 102) grey, keep their class
// (good, sit up straight, straighten head). Her frames compressed and
// noisy, and smaller, are TestVerdictsHoldUnderNoiseAndCompression's and
// TestVerdictsHoldAcrossResolutions'. A change whose verdict, either way,
// lies within nearLine of the line is counted apart from the clear ones,
// each against the set's bar. Most changes are slumps judged near the line
// either way; an upright frame judged good must stay good but for one per
// set and camera. Measured (clear and near the line): desk compressed 4+3
// of 140, noisy 2+3, grey 6+2; slouch-or-not 1+4, 2+3 and 1+2 of 65; the
// masked person grey 5+4 of 51. Of all these, one upright frame judged
// good was no longer (slouch-or-not compressed, at 0.50). Her forward head
// went good in grey on 5 frames, missed rather than accused: on two of her
// worst the body model placed her shoulders nearer each other, and they
// were taken for shoulders on the jaw (posture.MinShoulderSpan); on two
// mid ones the detector's coarse landmarks on her masked face read her
// head rolled past 15°, under which a lone shoulder does not measure the
// neck (posture.OneShoulderRoll); on the fifth her shoulders read lower.
func TestWebcamQualityKeepsTheClass(t *testing.T) {
	an := newTestAnalyzer(t)
	nf, desk := maskedAndDeskFrames(t)
	so := slouchOrNotFrames(t)
	all := []webcamCopy{compressedCopy, noisyCopy, monochromeCopy}
	for _, set := range []struct {
		name   string
		files  []string
		copies []webcamCopy
		limit  int // per cent of the frames that may change class, clear and near the line each
	}{
		{"neck-forward", everyNth(nf, 2), []webcamCopy{monochromeCopy}, 12},
		{"desk", desk, all, 5},
		{"slouch-or-not", so, all, 10},
	} {
		changed, near, accused, n := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
		for i, f := range set.files {
			img, err := loadImage(f)
			if err != nil {
				t.Fatal(err)
			}
			was := analyzeMat(t, an, img, f)
			for _, c := range set.copies {
				cp := c.make(t, img, uint64(i))
				n[c.name]++
				now := analyzeMat(t, an, cp, f+"#"+c.name)
				cp.Close()
				if threeClass(now) == threeClass(was) {
					continue
				}
				if labelOf(t, f) == ClassGood && was.Posture == domain.PostureGood {
					accused[c.name]++
				}
				kind := "clear"
				if nearTheLine(now) || nearTheLine(was) {
					kind = "near the line"
					near[c.name]++
				} else {
					changed[c.name]++
				}
				t.Logf("%s %s (%s): %s %s, was %s %s", relPath(dataDir(t), f), c.name, kind, threeClass(now), faultList(now.Faults), threeClass(was), faultList(was.Faults))
			}
			img.Close()
		}
		for _, c := range set.copies {
			k := c.name
			t.Logf("%s %s: %d of %d frames changed class, and %d near the line; %d upright frames judged good no longer", set.name, k, changed[k], n[k], near[k], accused[k])
			if changed[k]*100 > set.limit*n[k] || near[k]*100 > set.limit*n[k] {
				t.Errorf("%s %s: %d of %d frames changed class and %d near the line, want at most %d %% each", set.name, k, changed[k], n[k], near[k], set.limit)
			}
			if accused[k] > 1 {
				t.Errorf("%s %s: %d upright frames judged good are not, want at most 1", set.name, k, accused[k])
			}
		}
	}
}

// labelOf is the class the development data's folders give frame f
// (datasetFolders), empty for a frame outside them.
func labelOf(t *testing.T, f string) string {
	folder := relPath(dataDir(t), filepath.Dir(f))
	for _, df := range datasetFolders {
		if df.folder == folder {
			return df.class
		}
	}
	return ""
}
