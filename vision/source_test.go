package vision

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"gocv.io/x/gocv"
)

// sourceDataDir is ../shared/posture-data seen from the repository root.
const sourceDataDir = "../../shared/posture-data"

// srcData returns the path of rel inside the shared data, or skips the test.
func srcData(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(sourceDataDir, rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("test data %s not found (expected ../shared/posture-data beside the repository): %v", p, err)
	}
	return p
}

// drain reads src to its end, closing every frame, and returns the frames'
// metadata (Mat zeroed) and the item errors met on the way.
func drainSource(t *testing.T, src Source, check func(Frame)) ([]Frame, []*ItemError) {
	t.Helper()
	var frames []Frame
	var items []*ItemError
	for n := 0; ; n++ {
		if n > 100000 {
			t.Fatal("source never ended")
		}
		f, err := src.Next()
		if errors.Is(err, io.EOF) {
			return frames, items
		}
		var ie *ItemError
		if errors.As(err, &ie) {
			items = append(items, ie)
			continue
		}
		if err != nil {
			t.Fatalf("%s: Next: %v", src.Name(), err)
		}
		if check != nil {
			check(f)
		}
		f.Close()
		frames = append(frames, Frame{Time: f.Time, Offset: f.Offset, Index: f.Index, Source: f.Source})
	}
}

func requireBGR(t *testing.T, f Frame) {
	t.Helper()
	if f.Mat.Empty() || f.Mat.Type() != gocv.MatTypeCV8UC3 || f.Mat.Channels() != 3 {
		t.Fatalf("%s #%d: want a BGR 8UC3 Mat, got type %v, %d channels, empty=%v", f.Source, f.Index, f.Mat.Type(), f.Mat.Channels(), f.Mat.Empty())
	}
	if f.Mat.Cols() < MinImageSide || f.Mat.Rows() < MinImageSide {
		t.Fatalf("%s: frame %d×%d is below the minimum size", f.Source, f.Mat.Cols(), f.Mat.Rows())
	}
}

func TestBadFilesGiveCleanErrors(t *testing.T) {
	dir := srcData(t, "bad")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustFail := map[string]bool{"empty.jpg": true, "text.jpg": true, "one-pixel.png": true,
		"noise.mp4": true, "truncated.mp4": true, "truncated.jpg": true}
	seen := 0
	for _, e := range entries {
		name := e.Name()
		p := filepath.Join(dir, name)
		t.Run(name, func(t *testing.T) {
			seen++
			src, err := OpenPath(p, SourceOptions{})
			if err != nil {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("error does not name the file: %v", err)
				}
				t.Logf("clean error: %v", err)
				return
			}
			defer src.Close()
			if mustFail[name] {
				t.Fatalf("%s opened without error; want a clear error", name)
			}
			frames, items := drainSource(t, src, func(f Frame) { requireBGR(t, f) })
			if len(items) != 0 || len(frames) == 0 {
				t.Fatalf("want frames and no item errors, got %d frames, %v", len(frames), items)
			}
		})
	}
	if seen < len(mustFail) {
		t.Fatalf("only %d files in %s", seen, dir)
	}
}

func TestImagesLoadAsBGR(t *testing.T) {
	cases := []struct {
		rel  string
		w, h int
	}{
		{"misc/grace_hopper.jpg", 512, 600},
		{"misc/coffee.png", 0, 0},
		{"misc/astronaut.png", 0, 0},
		{"bad/black-frame.png", 640, 480}, // 1-bit grayscale PNG → BGR
	}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range cases {
		p := srcData(t, c.rel)
		src, err := OpenPath(p, SourceOptions{Start: start})
		if err != nil {
			t.Fatalf("%s: %v", c.rel, err)
		}
		f, err := src.Next()
		if err != nil {
			t.Fatalf("%s: %v", c.rel, err)
		}
		requireBGR(t, f)
		if c.w > 0 && (f.Mat.Cols() != c.w || f.Mat.Rows() != c.h) {
			t.Errorf("%s: size %d×%d, want %d×%d", c.rel, f.Mat.Cols(), f.Mat.Rows(), c.w, c.h)
		}
		if f.Offset != 0 || f.Index != 0 || !f.Time.Equal(start) || f.Source != p {
			t.Errorf("%s: metadata %+v", c.rel, Frame{Time: f.Time, Offset: f.Offset, Index: f.Index, Source: f.Source})
		}
		f.Close()
		if _, err := src.Next(); !errors.Is(err, io.EOF) {
			t.Errorf("%s: second Next = %v, want io.EOF", c.rel, err)
		}
		if err := src.Close(); err != nil {
			t.Error(err)
		}
	}
}

// TestDirectoryWalksRecursivelySorted checks the directory source against an
// independent listing of the neck-forward tree.
func TestDirectoryWalksRecursivelySorted(t *testing.T) {
	dir := srcData(t, "neck-forward")
	var want []string
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && (IsImagePath(p) || IsVideoPath(p)) {
			want = append(want, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(want)
	src, err := OpenPath(dir, SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	frames, items := drainSource(t, src, func(f Frame) { requireBGR(t, f) })
	if len(items) != 0 {
		t.Fatalf("unexpected item errors: %v", items)
	}
	var got []string
	subdirs := map[string]bool{}
	for _, f := range frames {
		got = append(got, f.Source)
		subdirs[filepath.Dir(f.Source)] = true
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("directory order differs:\n got %d files, first %v\nwant %d files, first %v", len(got), got[:min(3, len(got))], len(want), want[:min(3, len(want))])
	}
	if len(subdirs) != 6 || len(got) < 100 {
		t.Fatalf("want the 6 graded subfolders and ~102 frames, got %d folders, %d frames", len(subdirs), len(got))
	}
}

// TestDirectoryItemErrorsGoOn builds a small tree with a broken image, a
// non-media file and a nested folder.
func TestDirectoryItemErrorsGoOn(t *testing.T) {
	grace := srcData(t, "misc/grace_hopper.jpg")
	root := t.TempDir()
	img, err := os.ReadFile(grace)
	if err != nil {
		t.Fatal(err)
	}
	write := func(rel string, data []byte) string {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.jpg", img)
	broken := write("b-broken.jpg", []byte("this is not a jpeg"))
	write("notes.txt", []byte("skipped"))
	c := write("c/nested/d.JPG", img)
	e := write("e.png", img[:len(img)/50]) // truncated JPEG bytes named .png

	src, err := OpenPath(root, SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var order []string
	for {
		f, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var ie *ItemError
		if errors.As(err, &ie) {
			order = append(order, "error:"+ie.Path)
			if !strings.Contains(ie.Error(), ie.Path) {
				t.Errorf("item error does not name the file: %v", ie)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		requireBGR(t, f)
		order = append(order, f.Source)
		f.Close()
	}
	want := []string{a, "error:" + broken, c, "error:" + e}
	if strings.Join(order, "|") != strings.Join(want, "|") {
		t.Fatalf("got  %v\nwant %v", order, want)
	}
}

func TestVideoSamplingOnItsOwnTimeline(t *testing.T) {
	p := srcData(t, "clips/forward-head-session.mp4")
	start := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	src, err := OpenPath(p, SourceOptions{FPS: 2, Start: start})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	frames, items := drainSource(t, src, func(f Frame) {
		requireBGR(t, f)
		if f.Mat.Cols() != 960 || f.Mat.Rows() != 540 {
			t.Fatalf("frame %d is %d×%d, want 960×540", f.Index, f.Mat.Cols(), f.Mat.Rows())
		}
	})
	if len(items) != 0 {
		t.Fatal(items)
	}
	// 80 s at 2 samples a second.
	if len(frames) < 158 || len(frames) > 161 {
		t.Fatalf("got %d frames, want ~160", len(frames))
	}
	for k, f := range frames {
		want := time.Duration(k) * 500 * time.Millisecond
		if d := f.Offset - want; d < -time.Millisecond || d > time.Millisecond {
			t.Fatalf("frame %d: offset %v, want %v", k, f.Offset, want)
		}
		if f.Index != k || !f.Time.Equal(start.Add(f.Offset)) || f.Source != p {
			t.Fatalf("frame %d: index %d, time %v (want start+offset), source %q", k, f.Index, f.Time, f.Source)
		}
	}
}

// TestVideoSamplingPicksTheRightFrames compares the 2 fps samples with the
// same video read frame by frame: the sample at t must be frame floor(t·5).
func TestVideoSamplingPicksTheRightFrames(t *testing.T) {
	p := srcData(t, "clips/head-reps.mp4")
	all, err := OpenPath(p, SourceOptions{FPS: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer all.Close()
	var every []gocv.Mat
	defer func() {
		for i := range every {
			every[i].Close()
		}
	}()
	for i := 0; i < 60; i++ {
		f, err := all.Next()
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Duration(i) * 200 * time.Millisecond; f.Offset != want {
			t.Fatalf("every-frame read: frame %d offset %v, want %v", i, f.Offset, want)
		}
		every = append(every, f.Mat)
	}
	sampled, err := OpenPath(p, SourceOptions{FPS: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer sampled.Close()
	diff := gocv.NewMat()
	defer diff.Close()
	differs := 0
	for k := 0; k < 24; k++ {
		f, err := sampled.Next()
		if err != nil {
			t.Fatal(err)
		}
		want := every[k*5/2] // frame floor(k·0.5 s · 5 fps)
		gocv.AbsDiff(f.Mat, want, &diff)
		if n := gocv.Norm(diff, gocv.NormL1); n != 0 {
			t.Errorf("sample %d (%v) differs from frame %d (L1 %v)", k, f.Offset, k*5/2, n)
		}
		if k > 0 {
			gocv.AbsDiff(every[k*5/2], every[(k-1)*5/2], &diff)
			if gocv.Norm(diff, gocv.NormL1) != 0 {
				differs++
			}
		}
		f.Close()
	}
	if differs == 0 {
		t.Fatal("the clip's frames are all identical: the comparison proves nothing")
	}
}

func TestVideoFasterThanSourceGivesEveryFrameOnce(t *testing.T) {
	p := srcData(t, "clips/head-reps.mp4")
	src, err := OpenPath(p, SourceOptions{FPS: 12})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for i := 0; i < 30; i++ {
		f, err := src.Next()
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		if want := time.Duration(i) * 200 * time.Millisecond; f.Offset != want {
			t.Fatalf("frame %d: offset %v, want %v (each 5 fps frame once)", i, f.Offset, want)
		}
	}
}

func TestVtestAvi(t *testing.T) {
	p := srcData(t, "misc/vtest.avi")
	src, err := OpenPath(p, SourceOptions{FPS: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	frames, _ := drainSource(t, src, func(f Frame) { requireBGR(t, f) })
	if len(frames) < 10 {
		t.Fatalf("only %d frames from %s", len(frames), p)
	}
	for k, f := range frames {
		if want := time.Duration(k) * 500 * time.Millisecond; f.Offset != want {
			t.Fatalf("frame %d: offset %v, want %v", k, f.Offset, want)
		}
	}
	t.Logf("%s: %d frames at 2 fps (%v)", p, len(frames), frames[len(frames)-1].Offset)
}

func TestVideoLoopRestarts(t *testing.T) {
	p := srcData(t, "clips/away-and-back.mp4") // 40 s
	opt := SourceOptions{FPS: 0.5}
	once, err := OpenPath(p, opt)
	if err != nil {
		t.Fatal(err)
	}
	frames, _ := drainSource(t, once, nil)
	once.Close()
	n := len(frames)
	if n < 19 || n > 21 {
		t.Fatalf("one pass gave %d frames, want ~20", n)
	}

	opt.Loop = true
	src, err := OpenPath(p, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	first, err := src.Next()
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	prev := first.Offset
	for i := 1; i <= 2*n+3; i++ {
		f, err := src.Next()
		if err != nil {
			t.Fatalf("looping source ended at frame %d: %v", i, err)
		}
		if f.Index != i || f.Offset <= prev {
			t.Fatalf("frame %d: index %d, offset %v after %v (want increasing)", i, f.Index, f.Offset, prev)
		}
		prev = f.Offset
		if i == n || i == 2*n {
			// Start of a new pass: the first picture again, one pass later.
			if f.Offset != time.Duration(i)*2*time.Second {
				t.Errorf("frame %d: offset %v, want %v", i, f.Offset, time.Duration(i)*2*time.Second)
			}
			diff := gocv.NewMat()
			gocv.AbsDiff(f.Mat, first.Mat, &diff)
			if v := gocv.Norm(diff, gocv.NormL1); v != 0 {
				t.Errorf("frame %d after the loop is not the first frame again (L1 %v)", i, v)
			}
			diff.Close()
		}
		f.Close()
	}
}

func TestOpenPathsConcatenatesAndReportsItems(t *testing.T) {
	grace := srcData(t, "misc/grace_hopper.jpg")
	text := srcData(t, "bad/text.jpg")
	coffee := srcData(t, "misc/coffee.png")
	clip := srcData(t, "clips/head-reps.mp4") // 45 s
	missing := filepath.Join(t.TempDir(), "missing.jpg")
	src, err := OpenPaths([]string{grace, missing, text, coffee, clip}, SourceOptions{FPS: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	frames, items := drainSource(t, src, func(f Frame) { requireBGR(t, f) })
	if len(items) != 2 || items[0].Path != missing || items[1].Path != text {
		t.Fatalf("item errors %v, want %s then %s", items, missing, text)
	}
	if !errors.Is(items[0], fs.ErrNotExist) && !strings.Contains(items[0].Error(), "no such file") {
		t.Errorf("missing file error is unclear: %v", items[0])
	}
	if len(frames) < 46 || frames[0].Source != grace || frames[1].Source != coffee || frames[2].Source != clip {
		t.Fatalf("got %d frames starting %v", len(frames), frames[:min(3, len(frames))])
	}
	if last := frames[len(frames)-1]; last.Source != clip || last.Index != len(frames)-3 {
		t.Fatalf("last frame %+v: want the clip's frame %d", last, len(frames)-3)
	}
	if _, err := OpenPaths(nil, SourceOptions{}); err == nil {
		t.Fatal("OpenPaths(nil) gave no error")
	}
}

func TestOpenPathErrors(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(other, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	emptyDir := filepath.Join(dir, "empty")
	if err := os.Mkdir(emptyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "nope.mp4"), "no such file"},
		{other, "unknown file type"},
		{emptyDir, "no images or videos"},
	} {
		src, err := OpenPath(c.path, SourceOptions{})
		if err == nil {
			src.Close()
			t.Errorf("%s: no error", c.path)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.path) {
			t.Errorf("%s: error %q, want it to name the path and say %q", c.path, err, c.want)
		}
	}
}

func TestOpenCameraErrors(t *testing.T) {
	for _, c := range []struct {
		spec, want string
		kind       error // nil: a usage error of no camera kind
	}{
		{"/dev/video97", "no camera at /dev/video97: no such device", ErrCameraMissing},
		{"98", "no camera at /dev/video98", ErrCameraMissing},
		{"abc", "give an index", nil},
		{"", "empty camera name", nil},
		{"/etc/hostname", "not a character device", ErrNotCamera},
		{"/dev/null", "no camera at /dev/null", ErrCameraUnopenable}, // a char device OpenCV cannot use
	} {
		src, err := OpenCamera(c.spec, SourceOptions{})
		if err == nil {
			src.Close()
			t.Errorf("OpenCamera(%q): no error", c.spec)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("OpenCamera(%q) = %q, want it to contain %q", c.spec, err, c.want)
		}
		if c.kind != nil && !errors.Is(err, c.kind) {
			t.Errorf("OpenCamera(%q) = %q: not of kind %q", c.spec, err, c.kind)
		}
		if _, hint := explainSourceError(err, false); c.kind == ErrCameraMissing && !strings.Contains(hint, "plug the camera in") {
			t.Errorf("OpenCamera(%q) = %q: hint %q does not say to plug it in", c.spec, err, hint)
		}
	}
}

func TestPathKinds(t *testing.T) {
	for p, want := range map[string][2]bool{
		"a/b.JPG": {true, false}, "x.jpeg": {true, false}, "x.png": {true, false},
		"x.mp4": {false, true}, "x.AVI": {false, true}, "x.mkv": {false, true},
		"x.txt": {false, false}, "noext": {false, false}, "x.csv": {false, false},
	} {
		if IsImagePath(p) != want[0] || IsVideoPath(p) != want[1] {
			t.Errorf("%s: image=%v video=%v, want %v", p, IsImagePath(p), IsVideoPath(p), want)
		}
	}
}

func BenchmarkImageDecode(b *testing.B) {
	p := srcData(b, "neck-forward/4-upright/IMG_0877_100.jpg")
	b.ReportAllocs()
	for b.Loop() {
		m, err := loadImage(p)
		if err != nil {
			b.Fatal(err)
		}
		m.Close()
	}
}

// benchVideo measures the cost of one delivered frame at the given rate.
func benchVideo(b *testing.B, fps float64) {
	p := srcData(b, "clips/forward-head-session.mp4")
	src, err := OpenPath(p, SourceOptions{FPS: fps, Loop: true})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	for b.Loop() {
		f, err := src.Next()
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

// BenchmarkVideoNext: 960×540 H.264 at 5 fps sampled at 2 fps (grab to skip).
func BenchmarkVideoNext(b *testing.B) { benchVideo(b, 2) }

// BenchmarkVideoNextEveryFrame: the same video, every frame decoded.
func BenchmarkVideoNextEveryFrame(b *testing.B) { benchVideo(b, 5) }

// BenchmarkVideoSeekPerFrame is the alternative the video source does not
// use: a seek (CAP_PROP_POS_FRAMES) before every 2 fps sample.
func BenchmarkVideoSeekPerFrame(b *testing.B) {
	p := srcData(b, "clips/forward-head-session.mp4")
	c, err := gocv.VideoCaptureFile(p)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	n := int(c.Get(gocv.VideoCaptureFrameCount))
	m := gocv.NewMat()
	defer m.Close()
	k := 0
	for b.Loop() {
		idx := (k * 5 / 2) % n
		k++
		c.Set(gocv.VideoCapturePosFrames, float64(idx))
		if !c.Read(&m) {
			b.Fatalf("read frame %d failed", idx)
		}
	}
}

// TestCameraPacer checks the pacing the camera source uses (there is no
// webcam here): one delivery per period, idle grabs meanwhile, no burst
// after a slow consumer.
func TestCameraPacer(t *testing.T) {
	p := pacer{period: 40 * time.Millisecond}
	grabs := 0
	t0 := time.Now()
	for range 5 {
		p.wait(func() { grabs++; time.Sleep(5 * time.Millisecond) })
		p.delivered(time.Now())
	}
	if el := time.Since(t0); el < 160*time.Millisecond || el > 2*time.Second {
		t.Fatalf("5 deliveries 40 ms apart took %v, want ~160 ms", el)
	}
	if grabs < 10 {
		t.Fatalf("only %d idle grabs while waiting", grabs)
	}
	time.Sleep(150 * time.Millisecond) // a slow consumer
	t1 := time.Now()
	p.wait(nil) // overdue: at once
	p.delivered(time.Now())
	p.wait(nil) // then a full period, not a burst of catch-up frames
	if el := time.Since(t1); el < 35*time.Millisecond {
		t.Fatalf("after a slow consumer the next two deliveries came %v apart: a burst", el)
	}
}

// A symlink to a directory given as the path is followed: its images are
// found (it listed nothing before).
func TestOpenDirThroughSymlink(t *testing.T) {
	real, err := filepath.Abs(srcData(t, "neck-forward/4-upright"))
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "photos")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := Walk([]string{link}, SourceOptions{}, func(f *Frame, err error) {
		if err == nil {
			n++
		}
	}); err != nil {
		t.Fatal(err)
	}
	if n != 13 {
		t.Errorf("%d frames through the link, want the folder's 13", n)
	}
}

// A video sampled less often than its frame rate skips ahead: the next
// frame is the first at or after the point asked for, the same picture a
// frame-by-frame read would give there; past points change nothing; on a
// loop the skip carries over into the next pass.
func TestVideoSkipTo(t *testing.T) {
	p := srcData(t, "clips/away-and-back.mp4") // 40 s at 5 fps
	opt := SourceOptions{FPS: 5, Loop: true}
	src, err := OpenPath(p, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	sk, ok := src.(Skipper)
	if !ok {
		t.Fatalf("a video source (%T) cannot skip", src)
	}
	next := func() Frame {
		t.Helper()
		f, err := src.Next()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	f0 := next()
	f0.Close()
	sk.SkipTo(12300 * time.Millisecond)
	f := next()
	if f.Offset != 12400*time.Millisecond {
		t.Errorf("after SkipTo(12.3 s) the frame is at %v, want 12.4 s", f.Offset)
	}
	// the picture a plain read gives at 12.4 s
	plain, err := OpenPath(p, SourceOptions{FPS: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	for {
		g, err := plain.Next()
		if err != nil {
			t.Fatal(err)
		}
		if g.Offset == f.Offset {
			diff := gocv.NewMat()
			gocv.AbsDiff(f.Mat, g.Mat, &diff)
			if v := gocv.Norm(diff, gocv.NormL1); v != 0 {
				t.Errorf("the frame skipped to differs from the one read at %v (L1 %v)", g.Offset, v)
			}
			diff.Close()
			g.Close()
			break
		}
		g.Close()
	}
	f.Close()
	sk.SkipTo(time.Second) // already passed
	g0 := next()
	if g0.Offset != 12600*time.Millisecond {
		t.Errorf("after a skip into the past the frame is at %v, want the next one, 12.6 s", g0.Offset)
	}
	g0.Close()
	sk.SkipTo(45 * time.Second) // beyond this 40 s pass: to its end (the container's frame count may be one short), then the next pass
	last := next()
	last.Close()
	if last.Offset < 39*time.Second || last.Offset >= 40*time.Second {
		t.Errorf("a skip past the end gave a frame at %v, want one of the pass's last second", last.Offset)
	}
	for range 3 {
		g := next()
		g.Close()
		if g.Offset >= 40*time.Second {
			if g.Offset != 40*time.Second {
				t.Errorf("the next pass starts at %v, want 40 s (where the video ends)", g.Offset)
			}
			return
		}
	}
	t.Error("no next pass within 3 frames of the skip's end")
}

// ListMedia lists what OpenPaths would play, in the same order, without
// opening anything: a directory's images and videos recursively in lexical
// order (other files left out), files as given; a missing path or a file of
// another kind is an item error instead.
func TestListMedia(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a/2.jpg", "a/1.PNG", "a/sub/v.mp4", "a/notes.txt", "b.mp4", "c.txt"} {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in := func(f string) string { return filepath.Join(dir, filepath.FromSlash(f)) }
	files, bad := ListMedia([]string{in("a"), in("b.mp4"), in("c.txt"), in("missing")})
	want := []string{in("a/1.PNG"), in("a/2.jpg"), in("a/sub/v.mp4"), in("b.mp4")}
	if !slices.Equal(files, want) {
		t.Errorf("files %v, want %v", files, want)
	}
	if len(bad) != 2 || bad[0].Path != in("c.txt") || !strings.Contains(bad[0].Error(), "unknown file type") ||
		bad[1].Path != in("missing") || !strings.Contains(bad[1].Error(), "no such file or directory") {
		t.Errorf("item errors %v, want c.txt's type and missing's absence", bad)
	}
}
