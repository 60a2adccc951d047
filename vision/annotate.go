package vision

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"posturewatch/coach/domain"
	"strings"

	"gocv.io/x/gocv"
)

// Colours of the overlay (true RGB; gocv converts to BGR).
var (
	colGood    = color.RGBA{R: 40, G: 200, B: 70, A: 255}
	colBad     = color.RGBA{R: 230, G: 40, B: 40, A: 255}
	colWarn    = color.RGBA{R: 255, G: 150, B: 20, A: 255}
	colGrey    = color.RGBA{R: 170, G: 170, B: 170, A: 255}
	colHead    = color.RGBA{R: 0, G: 220, B: 255, A: 255}
	colLimb    = color.RGBA{R: 255, G: 255, B: 255, A: 255}
	colPanel   = color.RGBA{R: 0, G: 0, B: 0, A: 255}
	colBarBack = color.RGBA{R: 70, G: 70, B: 70, A: 255}
)

// postureColour is the verdict colour: good green, bad red, away/unknown grey.
func postureColour(p domain.Posture) color.RGBA {
	switch p {
	case domain.PostureGood:
		return colGood
	case domain.PostureBad:
		return colBad
	default:
		return colGrey
	}
}

// severityColour goes from orange (mild) to red (severe).
func severityColour(s float64) color.RGBA {
	if s >= 0.6 {
		return colBad
	}
	return colWarn
}

// maxFaultsShown is how many of the most severe faults the overlay lists.
const maxFaultsShown = 3

// Annotate draws the skeleton (head and shoulder keypoints and the COCO limbs
// among keypoints with score ≥ minScore), the posture verdict (colour by
// posture: good green, bad red, away/unknown grey) and the top faults with
// severities on a copy of img. Line widths and font sizes scale with the
// image. The caller must Close the returned Mat.
func Annotate(img gocv.Mat, obs domain.Observation, minScore float64) gocv.Mat {
	out := img.Clone()
	if out.Empty() {
		return out
	}
	if err := toBGR(&out); err != nil {
		// An exotic pixel format: draw nothing rather than fail.
		return out
	}
	w, h := out.Cols(), out.Rows()
	scale := float64(min(w, h)) / 480 // 1 at 640×480
	thick := max(1, int(math.Round(2*scale)))
	radius := max(2, int(math.Round(4*scale)))

	// Skeleton: keypoints by COCO index.
	var kp [len(KeypointNames)]*domain.Keypoint
	for i := range obs.Keypoints {
		k := &obs.Keypoints[i]
		idx := KeypointIndex(k.Name)
		if idx < 0 && k.Name == "" && len(obs.Keypoints) == len(KeypointNames) {
			idx = i // unnamed keypoints in model order
		}
		if idx >= 0 && k.Score >= minScore && !math.IsNaN(k.X) && !math.IsNaN(k.Y) {
			kp[idx] = k
		}
	}
	pt := func(k *domain.Keypoint) image.Point {
		return image.Pt(int(math.Round(k.X)), int(math.Round(k.Y)))
	}
	for _, limb := range Skeleton {
		a, b := kp[limb[0]], kp[limb[1]]
		if a == nil || b == nil {
			continue
		}
		gocv.Line(&out, pt(a), pt(b), colLimb, thick)
	}
	for i, k := range kp {
		if k == nil {
			continue
		}
		c, r := colLimb, radius
		if i <= 6 { // head and shoulders: what posture is judged on
			c, r = colHead, radius+max(1, radius/2)
		}
		gocv.Circle(&out, pt(k), r, c, -1)
		gocv.Circle(&out, pt(k), r, colPanel, max(1, thick/2))
	}

	// Verdict panel, top left.
	font := gocv.FontHersheySimplex
	big := math.Max(0.35, 0.9*scale)
	small := math.Max(0.3, 0.6*scale)
	tthick := max(1, int(math.Round(1.6*scale)))
	pad := max(3, int(math.Round(8*scale)))

	posture := obs.Posture
	if posture == "" {
		posture = domain.PostureUnknown
	}
	title := strings.ToUpper(string(posture))
	if obs.Confidence > 0 {
		title += fmt.Sprintf(" %.0f%%", 100*obs.Confidence)
	}
	faults := append([]domain.Fault(nil), obs.Faults...)
	domain.SortFaults(faults)
	if len(faults) > maxFaultsShown {
		faults = faults[:maxFaultsShown]
	}
	type line struct {
		text  string
		size  image.Point
		base  int
		fs    float64
		col   color.RGBA
		sev   float64
		fault bool
	}
	lines := []line{{text: title, fs: big, col: postureColour(posture)}}
	for _, f := range faults {
		lines = append(lines, line{text: fmt.Sprintf("%s %.2f", f.Name, f.Severity), fs: small,
			col: severityColour(f.Severity), sev: f.Severity, fault: true})
	}
	if obs.Backlit {
		// Why this frame's reading is less sure, and what to do about it
		// (domain.BacklitAdvice): the picture shows the light, not the cause.
		lines = append(lines, line{text: "light behind you", fs: small, col: colWarn})
	}
	barW := int(math.Round(60 * scale))
	panelW, panelH := 0, pad
	for i := range lines {
		lines[i].size, lines[i].base = gocv.GetTextSizeWithBaseline(lines[i].text, font, lines[i].fs, tthick)
		lw := lines[i].size.X
		if lines[i].fault {
			lw += pad + barW
		}
		panelW = max(panelW, lw)
		panelH += lines[i].size.Y + lines[i].base + pad
	}
	panel := image.Rect(0, 0, min(w, panelW+2*pad), min(h, panelH))
	gocv.Rectangle(&out, panel, colPanel, -1)
	gocv.Rectangle(&out, image.Rect(0, 0, w, h), postureColour(posture), max(2, thick))
	y := pad
	for _, l := range lines {
		y += l.size.Y
		gocv.PutTextWithParams(&out, l.text, image.Pt(pad, y), font, l.fs, l.col, tthick, gocv.LineAA, false)
		if l.fault {
			x0 := pad + l.size.X + pad
			bh := max(2, l.size.Y*2/3)
			bar := image.Rect(x0, y-bh, x0+barW, y)
			gocv.Rectangle(&out, bar, colBarBack, -1)
			fill := int(math.Round(float64(barW) * math.Max(0, math.Min(1, l.sev))))
			if fill > 0 {
				gocv.Rectangle(&out, image.Rect(x0, y-bh, x0+fill, y), l.col, -1)
			}
		}
		y += l.base + pad
	}
	return out
}

// AnnotatedName is the file name WriteAnnotated uses for an observation:
// the source's parent directory and base name (made file-name safe) and the
// frame index, e.g. "4-upright_IMG_0877_100-000000.jpg" or "camera_0-000042.jpg".
func AnnotatedName(obs domain.Observation) string {
	src := obs.Source
	name := "frame"
	if src != "" {
		clean := filepath.ToSlash(filepath.Clean(src))
		parts := strings.Split(strings.Trim(clean, "/"), "/")
		if len(parts) > 2 {
			parts = parts[len(parts)-2:]
		}
		last := parts[len(parts)-1]
		parts[len(parts)-1] = strings.TrimSuffix(last, filepath.Ext(last))
		name = safeName(strings.Join(parts, "_"))
	}
	return fmt.Sprintf("%s-%06d.jpg", name, obs.Frame)
}

func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := strings.Trim(b.String(), "._")
	if out == "" {
		return "frame"
	}
	return out
}

// WriteAnnotated writes img as a JPEG into dir (created if missing) under a
// file name made from the source name and frame index (AnnotatedName, with
// -2, -3 … added when that name is taken: nothing is overwritten); it
// returns the path written.
func WriteAnnotated(dir string, obs domain.Observation, img gocv.Mat) (string, error) {
	if img.Empty() {
		return "", errors.New("write annotated frame: empty image")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("write annotated frame: %w", err)
	}
	// Never over another file: two sources may make the same name
	// (dir1/a.jpg and dir2/a.jpg, a.jpg and a.png), and a file already
	// there may be the user's.
	name := AnnotatedName(obs)
	path := filepath.Join(dir, name)
	for i := 2; ; i++ {
		if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
			break
		}
		path = filepath.Join(dir, strings.TrimSuffix(name, ".jpg")+fmt.Sprintf("-%d.jpg", i))
	}
	if !gocv.IMWriteWithParams(path, img, []int{gocv.IMWriteJpegQuality, 90}) {
		return "", fmt.Errorf("write annotated frame %s: OpenCV could not write it (disk full or not writable?)", path)
	}
	return path, nil
}
