package vision

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"
)

// A phone (or a webcam app that saves what the sensor gave) stores a photo
// as the sensor lay and says in its EXIF Orientation tag how to turn it. A
// photo read the way it is stored shows the person on their side: no head
// the models know, so away or a wildly tilted head. OpenCV's decoder turns
// it; this test holds it to that, because IMReadColor without
// IMReadIgnoreOrientation is what does it and a flag change would silently
// lose it.
func TestPhotosAreTurnedByTheirEXIFOrientation(t *testing.T) {
	p := srcData(t, "misc/grace_hopper.jpg")
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	upright, err := jpeg.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	b := upright.Bounds()
	uprightFile := filepath.Join(t.TempDir(), "upright.jpg")
	writeEXIFJPEG(t, uprightFile, upright, 1)
	want, err := loadImage(uprightFile)
	if err != nil {
		t.Fatal(err)
	}
	defer want.Close()

	for _, c := range []struct {
		orientation uint16
		stored      func(x, y int) (int, int) // where the upright pixel (x, y) lies in the stored picture
		w, h        int
	}{
		{3, func(x, y int) (int, int) { return b.Dx() - 1 - x, b.Dy() - 1 - y }, b.Dx(), b.Dy()},
		// 6: the viewer turns the stored picture a quarter clockwise.
		{6, func(x, y int) (int, int) { return y, b.Dx() - 1 - x }, b.Dy(), b.Dx()},
		// 8: a quarter anticlockwise.
		{8, func(x, y int) (int, int) { return b.Dy() - 1 - y, x }, b.Dy(), b.Dx()},
	} {
		stored := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				sx, sy := c.stored(x, y)
				stored.Set(sx, sy, upright.At(b.Min.X+x, b.Min.Y+y))
			}
		}
		path := filepath.Join(t.TempDir(), "turned.jpg")
		writeEXIFJPEG(t, path, stored, c.orientation)
		got, err := loadImage(path)
		if err != nil {
			t.Fatalf("orientation %d: %v", c.orientation, err)
		}
		if gw, gh := got.Cols(), got.Rows(); gw != want.Cols() || gh != want.Rows() {
			got.Close()
			t.Fatalf("orientation %d: read as %d×%d, want the upright %d×%d", c.orientation, gw, gh, want.Cols(), want.Rows())
		}
		diff := gocv.NewMat()
		gocv.AbsDiff(got, want, &diff)
		mean := diff.Mean()
		diff.Close()
		got.Close()
		// Both went through one JPEG encoding; blocks laid another way
		// differ by a level or two. A picture left on its side or upside
		// down differs by tens.
		for ch := 0; ch < 3; ch++ {
			if v := [3]float64{mean.Val1, mean.Val2, mean.Val3}[ch]; v > 4 {
				t.Errorf("orientation %d: channel %d differs from the upright photo by %.1f levels on average", c.orientation, ch, v)
			}
		}
	}
}

// writeEXIFJPEG encodes img as a JPEG whose APP1 segment carries an EXIF
// Orientation tag, as cameras write it (a little-endian TIFF with one IFD
// entry).
func writeEXIFJPEG(t *testing.T, path string, img image.Image, orientation uint16) {
	t.Helper()
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	var tiff bytes.Buffer
	for _, v := range []any{
		[2]byte{'I', 'I'}, uint16(42), uint32(8), // header, IFD at offset 8
		uint16(1),                                                    // one entry
		uint16(0x0112), uint16(3), uint32(1), orientation, uint16(0), // Orientation, SHORT, count 1, value
		uint32(0), // no next IFD
	} {
		if err := binary.Write(&tiff, binary.LittleEndian, v); err != nil {
			t.Fatal(err)
		}
	}
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	jpg := enc.Bytes()
	var out bytes.Buffer
	out.Write(jpg[:2]) // SOI
	out.Write([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)})
	out.Write(payload)
	out.Write(jpg[2:])
	if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// A phone records a portrait video as the sensor lies and keeps the turn in
// the track header's display matrix; OpenCV's FFmpeg reader applies it (its
// automatic orientation). The test gives the development clip a header that
// says "turn a quarter" and wants the frames turned: a reader that ignored
// it would hand the models a person on their side.
func TestVideosAreTurnedByTheirDisplayMatrix(t *testing.T) {
	clip := srcData(t, "clips/forward-head-session.mp4")
	data, err := os.ReadFile(clip)
	if err != nil {
		t.Fatal(err)
	}
	turned, err := withQuarterTurn(data)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "turned.mp4")
	if err := os.WriteFile(path, turned, 0o600); err != nil {
		t.Fatal(err)
	}
	upright, got := firstFrame(t, clip, SourceOptions{}), firstFrame(t, path, SourceOptions{})
	defer upright.Close()
	defer got.Close()
	if got.Cols() != upright.Rows() || got.Rows() != upright.Cols() {
		t.Fatalf("a %d×%d clip marked to be turned a quarter was read as %d×%d", upright.Cols(), upright.Rows(), got.Cols(), got.Rows())
	}
	// Either quarter turn proves the matrix was read; the frame must be the
	// upright one turned, not another picture.
	best := math.Inf(1)
	for _, code := range []gocv.RotateFlag{gocv.Rotate90Clockwise, gocv.Rotate90CounterClockwise} {
		want := gocv.NewMat()
		gocv.Rotate(upright, &want, code)
		diff := gocv.NewMat()
		gocv.AbsDiff(got, want, &diff)
		m := diff.Mean()
		best = math.Min(best, (m.Val1+m.Val2+m.Val3)/3)
		diff.Close()
		want.Close()
	}
	if best > 1 {
		t.Errorf("the turned clip's first frame differs from the upright one turned by %.1f levels on average", best)
	}
}

// withQuarterTurn returns an MP4 whose first track header's display matrix
// is a quarter turn (as a phone held upright writes it).
func withQuarterTurn(mp4 []byte) ([]byte, error) {
	out := bytes.Clone(mp4)
	i := bytes.Index(out, []byte("tkhd"))
	if i < 4 {
		return nil, errors.New("no track header in the clip")
	}
	// After the box type: version (1), flags (3), then times, track id and
	// duration (20 bytes in version 0, 32 in version 1), 8 reserved, layer,
	// group, volume and 2 reserved (8), then the 3×3 matrix of int32.
	off := i + 4 + 4 + 20 + 16
	if out[i+4] == 1 {
		off = i + 4 + 4 + 32 + 16
	}
	if off+36 > len(out) {
		return nil, errors.New("track header cut short")
	}
	for k, v := range []int32{0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000} {
		binary.BigEndian.PutUint32(out[off+4*k:], uint32(v))
	}
	return out, nil
}
