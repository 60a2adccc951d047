package vision

import (
	"image"
	"math"

	"posturewatch/coach/domain"

	"gocv.io/x/gocv"
)

// The body model's two looks at a frame (Analyzer.runModels) show the
// sitter at two sizes in its square input. The near look shows the frame's
// whole height: a square or narrower frame fitted to the input, a wider one
// cut to a square of its height about the sitter's face (nearCut). The far
// look shows the frame no taller than a 16:9 frame fills the input
// (NewFarLetterbox): a wide frame whole.
//
// Why a wide frame is cut: MoveNet reads a sitter best when the sitter
// fills its input, and a laptop's 4:3 or 16:9 camera shows a sitter 0.75 or
// 0.56 times as large in it as a square frame does. Seen so, it placed the
// shoulders wider and lower (the neck 0.1–0.4 eye widths longer) and missed
// slumps: of the square development frames widened to 4:3 and 16:9 (the
// same sitter the same size against the frame's height), the desk people's
// slumps caught fell from 80.7 % to 74.3 % and 72.5 %, slouch-or-not's from
// 60.6 % to 27.3 % and 21.2 %. It also read a sitter cut by the frame's
// bottom edge at the shoulder line, as webcams frame people, as a head
// forward (slouch-or-not upright so framed: 23 of 32 good).
//
// The masked development person, filmed at 16:9, is the other way: cut to
// a square, the body model loses her head (its head score 0.15–0.24) and
// her frames read as nobody, or places her shoulders at the input's bottom
// edge (shouldersAtTheEdge); seen whole, it reads her well. So a wide
// frame's near look is kept unless it lost the head or placed the
// shoulders at the edge, and the whole frame is read then (keepNear). A
// wide frame whose face is not known yet (a photo, a stream's first frame)
// is seen whole while the face path runs and cut about the face it finds
// after; a stream's next frames take the look their last frame kept, cut
// about the face it showed (Analyzer.runModels, recut).
//
// wideCut is the narrowest frame cut so (width over height): below 4:3 the
// sitter grows little, and one filling the frame's width loses the
// shoulders at the square's sides (the square development frames' windows
// of 80 % of their height, 1.25 wide, cut so: 22 of the desk people's 218
// slumps in them caught, against 79 whole).
const wideCut = 1.3

// nearCut is the near look's square in a w×h frame: its whole height, about
// cx across it (the sitter's face; the frame's middle when cx < 0), kept
// inside the frame. ok is false for a frame narrower than wideCut, which the
// near look sees whole.
func nearCut(w, h int, cx float64) (r image.Rectangle, ok bool) {
	if h <= 0 || float64(w) < wideCut*float64(h) {
		return image.Rectangle{}, false
	}
	if cx < 0 {
		cx = float64(w) / 2
	}
	x0 := max(0, min(w-h, int(math.Round(cx-float64(h)/2))))
	return image.Rect(x0, 0, x0+h, h), true
}

// look runs the body model's near look (far false; cut about cx in a wide
// frame, see nearCut) or its far look at img, the keypoints in img's
// pixels.
func (a *Analyzer) look(img gocv.Mat, far bool, cx float64) ([]domain.Keypoint, error) {
	l := lookAt(img, far, cx)
	defer l.close()
	kps, _, err := a.pose.EstimateIn(l.img, far)
	l.toFrame(kps)
	return kps, err
}

// lookInput is what the body model is given for one look at a frame: the
// frame, or the near look's square cut from it.
type lookInput struct {
	img gocv.Mat
	x0  int  // where the cut starts across the frame
	cut bool // img is a region of the frame, closed by close
}

// lookAt is the input of the look `far` says at img (see look).
func lookAt(img gocv.Mat, far bool, cx float64) lookInput {
	r, cut := nearCut(img.Cols(), img.Rows(), cx)
	if far || !cut {
		return lookInput{img: img}
	}
	return lookInput{img: img.Region(r), x0: r.Min.X, cut: true}
}

// toFrame moves keypoints found on the input into the frame's pixels.
func (l lookInput) toFrame(kps []domain.Keypoint) {
	for i := range kps {
		kps[i].X += float64(l.x0)
	}
}

func (l lookInput) close() {
	if l.cut {
		l.img.Close()
	}
}

// shouldersAtTheEdge: the near look at a wide frame placed no shoulder
// (shoulderLine), or placed them at the picture's bottom edge
// (their line below domain.ShouldersLowInPicture of the height, where the
// body model places shoulders from what little of them shows). Cut to a
// square, the masked development person's 16:9 frames, her shoulders at
// 0.90–0.93 of the height, filled the body model's input to its bottom
// edge, and the shoulders it placed there moved with a camera's noise: of
// her 102 frames with noise of σ 8 grey levels, 28 changed class clear of
// the verdict's line (3 seen whole), and darkened to a mean brightness of
// 25, 40 lost their shoulders. Seen whole, the frame sits in the middle of
// the input with its bottom rows carried below it (PoseNet.carryBottom).
func shouldersAtTheEdge(kps []domain.Keypoint, h int) bool {
	y, ok := shoulderLine(kps)
	return !ok || y > domain.ShouldersLowInPicture*float64(h)
}
