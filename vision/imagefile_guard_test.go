package vision

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"posturewatch/vision/imagefile"
)

// guardDirEnv makes this test binary the child that walks the directory.
const guardDirEnv = "POSTUREWATCH_IMAGE_GUARD_DIR"

// TestImageGuardDirectoryWalk walks a directory holding files whose headers
// make OpenCV abort the process (each one did, with SIGABRT from an
// uncaught cv::Exception in validateInputImageSize, before the guard) or
// allocate 1.2 GB, and a good photo, through Walk — what `analyze` and
// `calibrate` use. The walk runs in a child process so that an abort fails
// this test with a clear message instead of killing the test binary.
func TestImageGuardDirectoryWalk(t *testing.T) {
	if dir := os.Getenv(guardDirEnv); dir != "" {
		guardWalk(t, dir)
		return
	}
	good, err := os.ReadFile(srcData(t, "misc/grace_hopper.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, data := range guardFiles(t, good) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestImageGuardDirectoryWalk$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), guardDirEnv+"="+dir, "OPENCV_LOG_LEVEL=ERROR")
	out, err := cmd.CombinedOutput()
	signaled := false
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		ws, ok := ee.Sys().(syscall.WaitStatus)
		signaled = ok && ws.Signaled()
	}
	if signaled || bytes.Contains(out, []byte("SIGABRT")) || bytes.Contains(out, []byte("terminate called")) {
		t.Fatalf("OpenCV aborted the process in the middle of the directory walk (%v):\n%s", err, out)
	}
	if err != nil || !strings.Contains(string(out), "guard walk: ") {
		t.Fatalf("child walk: %v\n%s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "guard walk: ") || strings.Contains(l, "refused: ") {
			t.Log(strings.TrimSpace(l))
		}
	}
}

// guardFiles are the crafted files (name → bytes) and the good one.
func guardFiles(t *testing.T, good []byte) map[string][]byte {
	var j bytes.Buffer
	if err := jpeg.Encode(&j, image.NewGray(image.Rect(0, 0, 64, 64)), nil); err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"a-huge-60000.png":   guardPNG(60000, 60000), // 69 bytes; SIGABRT
		"b-huge-20000.png":   guardPNG(20000, 20000),
		"c-huge-20000.jpg":   guardJPEG(j.Bytes(), 20000, 20000), // ~400 bytes: OpenCV decodes it into 1.2 GB
		"d-huge-65000.jpg":   guardJPEG(j.Bytes(), 65000, 65000), // SIGABRT
		"e-good.jpg":         good,
		"f-minus-2e31.bmp":   guardBMP(100, -1<<31),            // |height| overflows in OpenCV: SIGABRT
		"g-huge-60000.bmp":   guardBMP(60000, 60000),           // SIGABRT
		"h-huge-60000.tif":   guardTIFF(60000, 60000),          // SIGABRT
		"i-huge-60000.webp":  guardWebP(60000, 60000),          // SIGABRT
		"j-huge-60000.ppm":   []byte("P6\n60000 60000\n255\n"), // SIGABRT
		"k-pam-60000.pnm":    []byte("P7\nWIDTH 60000\nHEIGHT 60000\nDEPTH 3\nMAXVAL 255\nENDHDR\n"),
		"l-radiance-hdr.png": []byte("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 60000 +X 60000\n"), // decoded by content: SIGABRT
	}
}

// guardWalk is the child: it walks dir and checks what came out.
func guardWalk(t *testing.T, dir string) {
	want := map[string]error{} // file → expected reason
	for name := range guardFiles(t, nil) {
		switch {
		case name == "e-good.jpg":
		case strings.HasPrefix(name, "k-"), strings.HasPrefix(name, "l-"):
			want[name] = imagefile.ErrUnsupportedFormat
		default:
			want[name] = imagefile.ErrTooLarge
		}
	}
	var delivered []string
	refused := map[string]error{}
	err := Walk([]string{dir}, SourceOptions{}, func(f *Frame, err error) {
		if err != nil {
			var ie *ItemError
			if !errors.As(err, &ie) {
				t.Errorf("not an *ItemError: %v", err)
				return
			}
			refused[filepath.Base(ie.Path)] = err
			return
		}
		requireBGR(t, *f)
		delivered = append(delivered, fmt.Sprintf("%s %d×%d", filepath.Base(f.Source), f.Mat.Cols(), f.Mat.Rows()))
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	if len(delivered) != 1 || delivered[0] != "e-good.jpg 512×600" {
		t.Errorf("delivered %v, want only e-good.jpg 512×600", delivered)
	}
	for name, reason := range want {
		err := refused[name]
		switch {
		case err == nil:
			t.Errorf("%s: no item error", name)
		case !errors.Is(err, reason):
			t.Errorf("%s: %v, want %v", name, err, reason)
		case !strings.Contains(err.Error(), filepath.Join(dir, name)) || (reason == imagefile.ErrTooLarge && !strings.Contains(err.Error(), "refusing to decode")):
			t.Errorf("%s: unclear message %q", name, err)
		}
		t.Logf("refused: %v", err)
	}
	if len(refused) != len(want) {
		t.Errorf("%d item errors, want %d: %v", len(refused), len(want), refused)
	}
	t.Logf("guard walk: %d refused, %d delivered, no abort", len(refused), len(delivered))
}

func guardChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(append(b, typ...), data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// guardPNG: signature, IHDR, a 12-byte IDAT (so that libpng reads the header
// without complaint) and IEND: 69 bytes.
func guardPNG(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	b := append([]byte("\x89PNG\r\n\x1a\n"), guardChunk("IHDR", ihdr)...)
	b = append(b, guardChunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x60, 0x60, 0x60, 0, 0, 0, 4, 0, 1})...)
	return append(b, guardChunk("IEND", nil)...)
}

// guardJPEG is a real small JPEG whose frame header declares w×h.
func guardJPEG(j []byte, w, h uint16) []byte {
	j = append([]byte{}, j...)
	i := bytes.Index(j, []byte{0xFF, 0xC0})
	binary.BigEndian.PutUint16(j[i+5:], h)
	binary.BigEndian.PutUint16(j[i+7:], w)
	return j
}

func guardBMP(w, h int32) []byte {
	le := binary.LittleEndian
	b := make([]byte, 54)
	copy(b, "BM")
	le.PutUint32(b[2:], 54)
	le.PutUint32(b[10:], 54)
	le.PutUint32(b[14:], 40)
	le.PutUint32(b[18:], uint32(w))
	le.PutUint32(b[22:], uint32(h))
	le.PutUint16(b[26:], 1)
	le.PutUint16(b[28:], 24)
	return b
}

func guardTIFF(w, h uint32) []byte {
	le := binary.LittleEndian
	b := []byte("II\x2a\x00\x08\x00\x00\x00")
	b = le.AppendUint16(b, 2)
	for _, e := range [][2]uint32{{256, w}, {257, h}} {
		b = le.AppendUint16(b, uint16(e[0]))
		b = le.AppendUint16(b, 4) // LONG
		b = le.AppendUint32(b, 1)
		b = le.AppendUint32(b, e[1])
	}
	return append(le.AppendUint32(b, 0), make([]byte, 64)...)
}

func guardWebP(w, h uint32) []byte {
	b := []byte("RIFF\x18\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00")
	w, h = w-1, h-1
	return append(b, byte(w), byte(w>>8), byte(w>>16), byte(h), byte(h>>8), byte(h>>16), 0, 0)
}
