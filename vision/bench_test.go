package vision

import (
	"path/filepath"
	"testing"

	"posturewatch/coach/domain"
	"posturewatch/vision/posture"
)

// The per-frame path on a 960×540 webcam frame: the whole of it, then each
// stage. `make bench` turns these into a ms/frame report.

func benchFrame(b *testing.B) (*PoseNet, Frame) {
	b.Helper()
	pn, err := NewPoseNet(PoseOptions{ModelPath: modelPath(b), Strict: true, Threads: 2})
	if err != nil {
		b.Fatal(err)
	}
	img, err := LoadImage(filepath.Join(dataDir(b), "neck-forward", "4-upright", "IMG_0877_100.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { pn.Close(); img.Close() })
	return pn, Frame{Mat: img, Source: "bench"}
}

func BenchmarkFrameWholePath(b *testing.B) {
	pn, f := benchFrame(b)
	an := &Analyzer{pose: pn, judge: posture.NewJudge(posture.DefaultParams(), nil)}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := an.Analyze(f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStageLetterbox(b *testing.B) {
	pn, f := benchFrame(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pn.letterbox(f.Mat)
	}
}

func BenchmarkStageModel(b *testing.B) {
	pn, f := benchFrame(b)
	pn.letterbox(f.Mat)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := pn.forward(func(Heads) {}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStageDecode(b *testing.B) {
	pn, f := benchFrame(b)
	pn.letterbox(f.Mat)
	var h Heads
	if err := pn.forward(func(x Heads) {
		h = Heads{append([]float32(nil), x.Heatmaps...), append([]float32(nil), x.Center...),
			append([]float32(nil), x.Regress...), append([]float32(nil), x.Offsets...)}
	}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Decode(h)
	}
}

func BenchmarkStageJudge(b *testing.B) {
	pn, f := benchFrame(b)
	kps, _, err := pn.Estimate(f.Mat)
	if err != nil {
		b.Fatal(err)
	}
	j := posture.NewJudge(posture.DefaultParams(), nil)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j.Observe(domain.Observation{}, kps, f.Mat.Cols(), f.Mat.Rows())
	}
}
