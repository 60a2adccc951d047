package vision

import (
	"fmt"
	"image"
	"path/filepath"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"posturewatch/coach/domain"
	"posturewatch/vision/face"
	"posturewatch/vision/posture"
)

// The per-frame path with all three models on 2 threads: the whole of it
// (with the face detector, as on the first frame or when the face is lost,
// and tracked, as on the frames after), then each stage. `make bench` turns
// these into a ms/frame report.

// benchImage is a 960×540 webcam frame (neck-forward) or grace_hopper.jpg
// (a face the mesh reads, for the tracked path and the backlit one).
func benchImage(b *testing.B, rel string) gocv.Mat {
	b.Helper()
	img, err := loadImage(filepath.Join(dataDir(b), rel))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { img.Close() })
	return img
}

const (
	benchWebcam = "neck-forward/4-upright/IMG_0877_100.jpg"
	benchFace   = "misc/grace_hopper.jpg"
)

func benchAnalyzer(b *testing.B) *Analyzer { return benchAnalyzerThreads(b, 2) }

func benchAnalyzerThreads(b *testing.B, threads int) *Analyzer {
	b.Helper()
	an, err := NewAnalyzer(AnalyzerOptions{ModelPath: modelPath(b), Threads: threads})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { an.Close() })
	return an
}

// BenchmarkFrameWholePath: every model runs (body, face detector, mesh).
func BenchmarkFrameWholePath(b *testing.B) { benchWholePath(b, benchAnalyzer(b)) }

// BenchmarkFrameWholePathOneThread: the same with each model on one thread,
// as the live service runs them. The body model and the face models run at
// once, each on its own core, without the two-thread sessions' contention.
func BenchmarkFrameWholePathOneThread(b *testing.B) { benchWholePath(b, benchAnalyzerThreads(b, 1)) }

// BenchmarkFrameWholePathDim: the same frame in a dim room (mean brightness
// about 15), which the models see brightened (exposure.go).
func BenchmarkFrameWholePathDim(b *testing.B) {
	img := benchImage(b, benchWebcam)
	dim := gocv.NewMat()
	b.Cleanup(func() { dim.Close() })
	img.ConvertToWithParams(&dim, gocv.MatTypeCV8UC3, 0.13, 0)
	if mean, _ := pictureStats(dim); modelGain(mean) <= 1 {
		b.Fatalf("mean brightness %.0f: not dim", mean)
	}
	benchWholePathOf(b, benchAnalyzer(b), dim)
}

// BenchmarkFrameWholePathWashedOut: the same frame washed out (its contrast
// cut to 0.4 about a light grey), which the models see stretched
// (exposure.go).
func BenchmarkFrameWholePathWashedOut(b *testing.B) {
	img := benchImage(b, benchWebcam)
	washed := gocv.NewMat()
	b.Cleanup(func() { washed.Close() })
	img.ConvertToWithParams(&washed, gocv.MatTypeCV8UC3, 0.4, 90)
	if alpha, _ := modelLevels(pictureStats(washed)); alpha <= 1 {
		b.Fatal("not washed out")
	}
	benchWholePathOf(b, benchAnalyzer(b), washed)
}

// BenchmarkFrameWholePathBacklit: a frame backlit (the sitter darkened to
// 0.3, the room taken towards white), seen first: a photo, or a stream's
// first frame, whose mesh reads a copy exposed for the face the detector
// found, and whose body model looks at that copy again, near and whole at
// once (backlight.go, Analyzer.bothLooks). The
// frame is benchWebcamFace: the webcam frame's
// masked face is one the mesh cannot read, which is not exposed for, so it
// would time the plain path (as it did, unnoticed, from 2e069f1 until the
// checks in the loop).
func BenchmarkFrameWholePathBacklit(b *testing.B) { benchBacklitFirst(b, 2) }

// BenchmarkFrameWholePathBacklitOneThread: the same with each model on one
// thread, as the live service runs them.
func BenchmarkFrameWholePathBacklitOneThread(b *testing.B) { benchBacklitFirst(b, 1) }

func benchBacklitFirst(b *testing.B, threads int) {
	an, lit := benchBacklit(b, threads)
	f := Frame{Mat: lit, Source: "bench"}
	for b.Loop() {
		an.face.Reset()
		an.lit.source = "" // nothing known of the light
		passes, meshes, twice := an.passes, an.face.meshRuns, an.pose.net.twiceRuns
		if _, err := an.Analyze(f); err != nil {
			b.Fatal(err)
		}
		if an.pose.net.twiceRuns != twice+1 {
			b.Fatalf("the body model took %d looks at once, want its near and whole looks at the exposed copy", an.pose.net.twiceRuns-twice)
		}
		if an.passes-passes != 2 || an.lit.faceGain <= regainRatio {
			b.Fatalf("the body model ran %d times, gain %.2f: not exposed for the face", an.passes-passes, an.lit.faceGain)
		}
		if an.face.meshRuns != meshes+1 {
			b.Fatalf("the mesh ran %d times: want once", an.face.meshRuns-meshes)
		}
	}
}

// BenchmarkFrameWholePathBacklitWide: slouch-or-not's frame widened to
// 16:9 (benchWideSitter) backlit the same way, seen first: the exposed
// copy's near look is kept, and the whole look at that copy, taken at once
// with it, not needed (TestBacklitWideFrameTakesBothLooksAtOnce).
func BenchmarkFrameWholePathBacklitWide(b *testing.B) {
	an := benchAnalyzer(b)
	f := Frame{Mat: benchBacklitCopy(b, an, benchWideSitter(b)), Source: "bench"}
	for b.Loop() {
		an.face.Reset()
		an.lit.source = ""
		passes, cuts, twice := an.passes, an.faceCuts, an.pose.net.twiceRuns
		if _, err := an.Analyze(f); err != nil {
			b.Fatal(err)
		}
		if !farApart(an.lit.faceGain, 1) || an.passes-passes != 2 || an.faceCuts-cuts != 1 || an.pose.net.twiceRuns-twice != 1 {
			b.Fatalf("gain %.2f, whole looks %d, near looks %d, looks at once %d: want exposed for the face, two whole looks (beside the face path, then at the exposed copy) and one near look, the last two at once",
				an.lit.faceGain, an.passes-passes, an.faceCuts-cuts, an.pose.net.twiceRuns-twice)
		}
	}
}

// BenchmarkFrameWholePathBacklitUnmeshable: the masked person's webcam
// frame backlit the same way, seen first: a dark face the mesh cannot read,
// which is reported backlit but not exposed for. The detector is unsure of
// it and looks twice; the body model's near look, cut about the first
// look's face, is taken beside the second (nearBesideMesh).
func BenchmarkFrameWholePathBacklitUnmeshable(b *testing.B) {
	an := benchAnalyzer(b)
	lit := benchBacklitCopy(b, an, benchImage(b, benchWebcam))
	f := Frame{Mat: lit, Source: "bench"}
	passes := an.passes
	for b.Loop() {
		an.face.Reset()
		an.lit.source = ""
		unsure := an.nearUnsure
		if _, err := an.Analyze(f); err != nil {
			b.Fatal(err)
		}
		if an.lit.asked < backlitShown || an.lit.faceGain != 1 {
			b.Fatalf("the face asked for a gain of %.2f and got %.2f: want it reported backlit and not exposed for", an.lit.asked, an.lit.faceGain)
		}
		if an.nearUnsure != unsure+1 {
			b.Fatal("the near look was not taken beside the detector's second look")
		}
	}
	b.ReportMetric(float64(an.passes-passes)/float64(b.N), "passes/op")
}

// BenchmarkFrameWholePathBacklitKnown: the backlit frame on a stream whose
// light the previous frame told (the camera reopened after a rest, the
// detector run afresh): one pass of the models on the exposed copy.
func BenchmarkFrameWholePathBacklitKnown(b *testing.B) {
	an, lit := benchBacklit(b, 2)
	f := Frame{Mat: lit, Source: "bench"}
	if _, err := an.Analyze(f); err != nil || an.lit.faceGain <= regainRatio {
		b.Fatalf("gain %.2f (%v): not exposed for the face", an.lit.faceGain, err)
	}
	for b.Loop() {
		an.face.Reset()
		passes := an.passes
		if _, err := an.Analyze(f); err != nil {
			b.Fatal(err)
		}
		if an.passes-passes != 1 {
			b.Fatalf("the body model ran %d times on a frame whose light was known", an.passes-passes)
		}
	}
}

// BenchmarkFrameWholePathFace: the backlit benchmarks' frame as it is, to
// set beside them.
func BenchmarkFrameWholePathFace(b *testing.B) {
	benchWholePathOf(b, benchAnalyzer(b), benchWebcamFace(b))
}

// BenchmarkFrameWholePathLeaningIn: the webcam-shaped face zoomed until its
// box is 1.4 times the frame's height (someone leaning right in), seen
// first: the detector's first look is unsure (0.42) and it looks again in a
// bordered copy (FaceNet.detect); the face fills the frame, so the body
// model takes no near look cut about it (faceFillsFrame).
func BenchmarkFrameWholePathLeaningIn(b *testing.B) {
	an, near := benchLeaningIn(b)
	f := Frame{Mat: near, Source: "bench"}
	for b.Loop() {
		an.face.Reset()
		an.lit.source = ""
		cuts := an.faceCuts
		obs, err := an.Analyze(f)
		if err != nil {
			b.Fatal(err)
		}
		if obs.Fault(domain.TooClose) < 0.5 {
			b.Fatalf("%s %v (%s): not too close", obs.Posture, obs.Faults, obs.Why)
		}
		if an.faceCuts != cuts {
			b.Fatalf("%d near looks at a face filling the frame: want none", an.faceCuts-cuts)
		}
	}
}

// benchLeaningIn is an analyser and benchWebcamFace's frame zoomed until
// the face box is 1.4 times the frame's height (someone leaning right in),
// closed when the benchmark ends.
func benchLeaningIn(b *testing.B) (*Analyzer, gocv.Mat) {
	an, img := benchAnalyzer(b), benchWebcamFace(b)
	in, err := an.Input(Frame{Mat: img, Source: "box"})
	if err != nil || in.Face == nil || in.Face.Score == 0 {
		b.Fatalf("no face to zoom into (%v)", err)
	}
	near, ok := zoomedIntoFace(img, in.Face.Box, 1.4)
	if !ok {
		b.Fatal("cannot zoom")
	}
	b.Cleanup(func() { near.Close() })
	return an, near
}

// benchWebcamFace is a webcam-shaped frame of a face the mesh reads: a 16:9
// band of grace_hopper.jpg (her face and collar) scaled to 960×540, so the
// detector and the body model see the shapes they see on a webcam's frames
// (a portrait's taller detector input costs it 4 ms more).
func benchWebcamFace(b *testing.B) gocv.Mat {
	src := benchImage(b, benchFace)
	band := src.Region(image.Rect(0, 80, 512, 368))
	defer band.Close()
	img := gocv.NewMat()
	gocv.Resize(band, &img, image.Pt(960, 540), 0, 0, gocv.InterpolationLinear)
	b.Cleanup(func() { img.Close() })
	return img
}

func benchBacklit(b *testing.B, threads int) (*Analyzer, gocv.Mat) {
	an := benchAnalyzerThreads(b, threads)
	return an, benchBacklitCopy(b, an, benchWebcamFace(b))
}

// benchBacklitCopy is img with its sitter darkened to 0.3 in front of a
// room taken towards white, outlined from what an sees on it.
func benchBacklitCopy(b *testing.B, an *Analyzer, img gocv.Mat) gocv.Mat {
	in, err := an.Input(Frame{Mat: img, Source: "outline"})
	if err != nil {
		b.Fatal(err)
	}
	lit := backlitCopy(b, img, in, 0.3, 0.25)
	b.Cleanup(func() { lit.Close() })
	return lit
}

func benchWholePath(b *testing.B, an *Analyzer) { benchWholePathOf(b, an, benchImage(b, benchWebcam)) }

func benchWholePathOf(b *testing.B, an *Analyzer, img gocv.Mat) {
	f := Frame{Mat: img, Source: "bench"}
	for b.Loop() {
		an.face.Reset()
		if _, err := an.Analyze(f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFrameTracked: the face followed from the previous frame, so the
// detector is skipped (the steady state of a live session).
func BenchmarkFrameTracked(b *testing.B) {
	an := benchAnalyzer(b)
	f := Frame{Mat: benchImage(b, benchFace), Source: "bench", Time: time.Now()}
	for b.Loop() {
		f.Index++
		f.Time = f.Time.Add(time.Millisecond)
		if _, err := an.Analyze(f); err != nil {
			b.Fatal(err)
		}
	}
	// The track is dropped and the detector run again every 99 frames, so
	// whether the last of b.N frames left a track depends on b.N: check the
	// path on two fresh frames instead.
	an.face.Reset()
	for range 2 {
		f.Index++
		f.Time = f.Time.Add(time.Millisecond)
		if _, err := an.Analyze(f); err != nil {
			b.Fatal(err)
		}
	}
	if an.face.track == nil {
		b.Fatal("the face was not tracked")
	}
}

func BenchmarkStagePoseLetterbox(b *testing.B) {
	an := benchAnalyzer(b)
	img := benchImage(b, benchWebcam)
	for b.Loop() {
		an.pose.letterbox(img, NewLetterbox(img.Cols(), img.Rows()))
	}
}

func BenchmarkStagePoseModel(b *testing.B) {
	an := benchAnalyzer(b)
	img := benchImage(b, benchWebcam)
	an.pose.letterbox(img, NewLetterbox(img.Cols(), img.Rows()))
	for b.Loop() {
		if err := an.pose.forward(func(Heads) {}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStagePoseTwoLooks: the body model's near look (cut square about
// the middle) and whole look at the masked person's 16:9 webcam frame,
// letterboxed and decoded: in turn on all the threads, and at once
// (EstimateTwo), each on half of them.
func BenchmarkStagePoseTwoLooks(b *testing.B) {
	img := benchImage(b, benchWebcam)
	r, _ := nearCut(img.Cols(), img.Rows(), -1)
	cut := img.Region(r)
	defer cut.Close()
	for _, threads := range []int{2, 1} {
		an := benchAnalyzerThreads(b, threads)
		b.Run(fmt.Sprintf("in-turn-%d-threads", threads), func(b *testing.B) {
			for b.Loop() {
				for _, l := range []struct {
					img gocv.Mat
					far bool
				}{{cut, false}, {img, true}} {
					if _, _, err := an.pose.EstimateIn(l.img, l.far); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		b.Run(fmt.Sprintf("at-once-%d-threads", threads), func(b *testing.B) {
			for b.Loop() {
				if _, err := an.pose.EstimateTwo([2]gocv.Mat{cut, img}, [2]bool{false, true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkStagePoseDecode(b *testing.B) {
	an := benchAnalyzer(b)
	img := benchImage(b, benchWebcam)
	an.pose.letterbox(img, NewLetterbox(img.Cols(), img.Rows()))
	var h Heads
	if err := an.pose.forward(func(x Heads) {
		h = Heads{append([]float32(nil), x.Heatmaps...), append([]float32(nil), x.Center...),
			append([]float32(nil), x.Regress...), append([]float32(nil), x.Offsets...)}
	}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		Decode(h)
	}
}

// BenchmarkStageFaceDetector: letterbox to 256², the model, decoding and
// suppression.
func BenchmarkStageFaceDetector(b *testing.B) {
	an := benchAnalyzer(b)
	img := benchImage(b, benchWebcam)
	for b.Loop() {
		if _, err := an.face.detect(img, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStageFaceDetectorLeaningIn: both of the detector's looks at a
// face larger than the frame (BenchmarkFrameWholePathLeaningIn's): the first
// is unsure, the second finds it in the bordered copy — as detect borders it
// (nearMargins: the frame's shape kept), and, side by side in one process,
// bordered by half the longer side all round (a 256×224 canvas).
func BenchmarkStageFaceDetectorLeaningIn(b *testing.B) {
	an, near := benchLeaningIn(b)
	square := int(nearMargin * float64(max(near.Cols(), near.Rows())))
	for _, c := range []struct {
		name string
		look func(first []face.Detection) (mx, my int)
	}{
		{"detect", func(first []face.Detection) (int, int) { return nearMargins(near.Cols(), near.Rows(), first) }},
		{"square", func([]face.Detection) (int, int) { return square, square }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				first, err := an.face.detectIn(near, 0, 0)
				if err != nil {
					b.Fatal(err)
				}
				if len(first) > 0 && first[0].Score >= sureFace {
					b.Fatalf("the first look is sure (%.2f): no second look to time", first[0].Score)
				}
				mx, my := c.look(first)
				dets, err := an.face.detectIn(near, mx, my)
				if err != nil {
					b.Fatal(err)
				}
				if len(dets) == 0 || dets[0].Box.Height() < float64(near.Rows()) {
					b.Fatalf("the second look did not find the whole face: %v", dets)
				}
			}
		})
	}
}

// BenchmarkStageFaceMesh: the rotated crop, the model, mapping 468 points back.
func BenchmarkStageFaceMesh(b *testing.B) {
	an := benchAnalyzer(b)
	img := benchImage(b, benchWebcam)
	dets, err := an.face.detect(img, nil)
	if err != nil || len(dets) == 0 {
		b.Fatalf("no face to crop (%v)", err)
	}
	crop, err := face.CropFromDetection(dets[0], face.DefaultDetectionCrop())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := an.face.runMesh(img, crop); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStageJudge: metrics, faults and reasons from the models' output.
func BenchmarkStageJudge(b *testing.B) {
	an := benchAnalyzer(b)
	img := benchImage(b, benchFace)
	in, err := an.Input(Frame{Mat: img, Source: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	j := posture.NewJudge(posture.DefaultParams(), nil)
	for b.Loop() {
		j.Observe(domain.Observation{}, in)
	}
}

// benchNarrow is the masked person's worst forward head cut square about
// her face: the body model's first look loses her head and it looks again,
// farther (faceWantsOtherLook, NewFarLetterbox).
func benchNarrow(b *testing.B, threads int) (*Analyzer, gocv.Mat) {
	an := benchAnalyzerThreads(b, threads)
	const rel = "neck-forward/1-forward-worst/IMG_0877_100.jpg"
	cut := narrowedAboutFace(b, an, benchImage(b, rel), filepath.Join(dataDir(b), rel), 1)
	b.Cleanup(func() { cut.Close() })
	return an, cut
}

// BenchmarkFrameWholePathNarrowFirst: that frame seen first (a photo, a
// stream's first frame): every model, and the body model twice.
func BenchmarkFrameWholePathNarrowFirst(b *testing.B) { benchNarrowFirst(b, 2) }

// BenchmarkFrameWholePathNarrowFirstOneThread: the same with each model on
// one thread, as the live service runs them: the body model's two looks
// on one core while the face path runs on the other.
func BenchmarkFrameWholePathNarrowFirstOneThread(b *testing.B) { benchNarrowFirst(b, 1) }

func benchNarrowFirst(b *testing.B, threads int) {
	an, cut := benchNarrow(b, threads)
	f := Frame{Mat: cut, Source: "bench"}
	for b.Loop() {
		an.face.Reset()
		looks := an.bodyLooks
		if _, err := an.Analyze(f); err != nil {
			b.Fatal(err)
		}
		if an.bodyLooks-looks != 1 || !an.body.far {
			b.Fatalf("the body model looked again %d times, far look kept %v: want once, kept", an.bodyLooks-looks, an.body.far)
		}
	}
}

// BenchmarkFrameWholePathNarrowStream: the same frame on a stream whose
// previous frame took the far look: the body model looks once, farther,
// and the face is followed.
func BenchmarkFrameWholePathNarrowStream(b *testing.B) {
	an, cut := benchNarrow(b, 2)
	f := Frame{Mat: cut, Source: "bench", Time: time.Now()}
	if _, err := an.Analyze(f); err != nil || !an.body.far {
		b.Fatalf("far look %v (%v): the stream's first frame did not take it", an.body.far, err)
	}
	for b.Loop() {
		f.Index++
		f.Time = f.Time.Add(time.Millisecond)
		looks := an.bodyLooks
		if _, err := an.Analyze(f); err != nil {
			b.Fatal(err)
		}
		if an.bodyLooks != looks || !an.body.far {
			b.Fatalf("the body model looked again %d times, far look kept %v: want the far look first, once", an.bodyLooks-looks, an.body.far)
		}
	}
}

// benchWideSitter is slouch-or-not's upright frame widened to 16:9 (a
// laptop's wide camera) and scaled to 960×540: a sitter whose wide frame
// the body model reads cut to a square about the face (nearcut.go).
func benchWideSitter(b *testing.B) gocv.Mat {
	src := benchImage(b, "slouch-or-not/upright/middle-sample-1543068389411-0.jpg")
	wide := widened(src, 16.0/9)
	defer wide.Close()
	big := gocv.NewMat()
	gocv.Resize(wide, &big, image.Pt(960, 540), 0, 0, gocv.InterpolationLinear)
	b.Cleanup(func() { big.Close() })
	return big
}

// BenchmarkFrameWholePathWide: that 16:9 frame seen first: the body model
// sees it whole while the face path runs, then cut about the face found.
func BenchmarkFrameWholePathWide(b *testing.B) {
	an := benchAnalyzer(b)
	f := Frame{Mat: benchWideSitter(b), Source: "bench"}
	for b.Loop() {
		an.face.Reset()
		cuts, beside := an.faceCuts, an.nearBeside
		if _, err := an.Analyze(f); err != nil {
			b.Fatal(err)
		}
		if an.faceCuts-cuts != 1 || an.nearBeside-beside != 1 || an.body.cut.Empty() {
			b.Fatalf("cut about the face %d times (%d beside the mesh), the cut %v kept: want once, beside, kept", an.faceCuts-cuts, an.nearBeside-beside, an.body.cut)
		}
	}
}

// BenchmarkFrameTrackedWide: the same frame on a stream, the face followed:
// one look, cut about the face the last frame showed.
func BenchmarkFrameTrackedWide(b *testing.B) {
	an := benchAnalyzer(b)
	f := Frame{Mat: benchWideSitter(b), Source: "bench", Time: time.Now()}
	if _, err := an.Analyze(f); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		f.Index++
		f.Time = f.Time.Add(time.Millisecond)
		passes, cuts := an.passes, an.faceCuts
		if _, err := an.Analyze(f); err != nil {
			b.Fatal(err)
		}
		if an.passes-passes != 1 || an.faceCuts != cuts || an.body.cut.Empty() {
			b.Fatalf("looks %d, cut about the face again %d times, cut %v: want one look, cut as before", an.passes-passes, an.faceCuts-cuts, an.body.cut)
		}
	}
}
