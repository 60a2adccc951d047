package imagefile

import (
	"errors"
	"image"
	_ "image/jpeg" // image.DecodeConfig: a second, independent header reader
	_ "image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedData is ../shared/posture-data seen from the repository root.
func sharedData(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "posture-data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("test data %s not found (expected ../shared/posture-data beside the repository): %v", p, err)
	}
	return p
}

// Every file in bad/ is classified as it should be. Those that pass the
// header check are refused later by the vision package: truncated.jpg by
// its missing end-of-image marker (OpenCV would decode it with the lower
// part grey), one-pixel.png by the 32-pixel minimum after decoding.
func TestSharedBadFiles(t *testing.T) {
	dir := sharedData(t, "bad")
	want := map[string]struct {
		err    error // nil: header accepted
		format Format
		w, h   int
	}{
		"empty.jpg":       {ErrEmpty, Unknown, 0, 0},
		"text.jpg":        {ErrUnknownFormat, Unknown, 0, 0},
		"noise.mp4":       {ErrUnknownFormat, Unknown, 0, 0},
		"truncated.mp4":   {ErrUnknownFormat, Unknown, 0, 0},
		"truncated.jpg":   {nil, JPEG, 512, 600},
		"one-pixel.png":   {nil, PNG, 1, 1},
		"black-frame.png": {nil, PNG, 640, 480},
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		info, err := CheckFile(p)
		w, ok := want[e.Name()]
		if !ok {
			t.Logf("%s (not in the expected list): %v %d×%d, %v", e.Name(), info.Format, info.Width, info.Height, err)
			continue
		}
		seen++
		if w.err == nil && err != nil || w.err != nil && !errors.Is(err, w.err) {
			t.Errorf("%s: %v, want %v", e.Name(), err, w.err)
		}
		if err != nil && !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error does not name the file: %v", e.Name(), err)
		}
		if info.Format != w.format || info.Width != w.w || info.Height != w.h {
			t.Errorf("%s: %v %d×%d, want %v %d×%d", e.Name(), info.Format, info.Width, info.Height, w.format, w.w, w.h)
		}
		t.Logf("%s: %v %d×%d: %v", e.Name(), info.Format, info.Width, info.Height, err)
	}
	if seen != len(want) {
		t.Errorf("found %d of the %d expected files in %s", seen, len(want), dir)
	}
}

// Every real image passes with the size Go's own decoders read, and with
// the sizes the data README gives, reading a few KB at most.
func TestSharedRealImages(t *testing.T) {
	sizes := map[string][2]int{ // by folder, from the data README
		"slouch-or-not":     {224, 224},
		"neck-forward":      {960, 540},
		"desk-three-people": {224, 224},
	}
	misc := map[string][2]int{"grace_hopper.jpg": {512, 600}, "astronaut.png": {512, 512}, "coffee.png": {600, 400}, "messi5.jpg": {548, 342}}
	total := 0
	for _, top := range []string{"misc", "slouch-or-not", "neck-forward", "desk-three-people"} {
		root := sharedData(t, top)
		n := 0
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			ext := strings.ToLower(filepath.Ext(p))
			if ext != ".jpg" && ext != ".jpeg" && ext != ".png" {
				return nil
			}
			n++
			info, err := CheckFile(p)
			if err != nil {
				t.Errorf("%v", err)
				return nil
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			st, err := f.Stat()
			if err != nil {
				return err
			}
			cr := &countingReader{r: f}
			if rinfo, err := Read(cr, st.Size()); err != nil || rinfo != info {
				t.Errorf("%s: Read = %+v %v, CheckFile = %+v", p, rinfo, err, info)
			}
			if cr.read > 4*readWindow {
				t.Errorf("%s: read %d bytes in %d reads for the header", p, cr.read, cr.reads)
			}
			cfg, _, err := image.DecodeConfig(io.NewSectionReader(f, 0, st.Size()))
			if err != nil {
				t.Errorf("%s: Go's decoder: %v", p, err)
				return nil
			}
			if info.Width != cfg.Width || info.Height != cfg.Height {
				t.Errorf("%s: %d×%d, Go reads %d×%d", p, info.Width, info.Height, cfg.Width, cfg.Height)
			}
			want, ok := sizes[top]
			if top == "misc" {
				want, ok = misc[filepath.Base(p)]
			}
			if ok && (info.Width != want[0] || info.Height != want[1]) {
				t.Errorf("%s: %d×%d, the data README says %d×%d", p, info.Width, info.Height, want[0], want[1])
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("no images in %s", root)
		}
		total += n
	}
	t.Logf("%d real images checked", total)
}
