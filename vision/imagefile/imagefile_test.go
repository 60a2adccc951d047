package imagefile

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseReadsEachFormat(t *testing.T) {
	for _, s := range samples(t) {
		t.Run(s.name, func(t *testing.T) {
			info, err := Parse(s.data, int64(len(s.data)))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if info.Format != s.format || info.Width != s.w || info.Height != s.h {
				t.Fatalf("got %v %d×%d, want %v %d×%d", info.Format, info.Width, info.Height, s.format, s.w, s.h)
			}
			if info.Size != int64(len(s.data)) || info.HeaderSize <= 0 || info.HeaderSize > info.Size {
				t.Errorf("size %d, header size %d", info.Size, info.HeaderSize)
			}
			// Read (the file path) agrees with Parse (the bytes path).
			rinfo, err := Read(bytes.NewReader(s.data), int64(len(s.data)))
			if err != nil || rinfo != info {
				t.Errorf("Read = %+v, %v; Parse = %+v", rinfo, err, info)
			}
			err = Check(info, Limits{})
			if s.format == GIF {
				if !errors.Is(err, ErrUnsupportedFormat) || !strings.Contains(err.Error(), "GIF") {
					t.Errorf("GIF: Check = %v, want ErrUnsupportedFormat", err)
				}
				return
			}
			if err != nil {
				t.Errorf("Check: %v", err)
			}
		})
	}
}

func TestBMPTopDown(t *testing.T) {
	info, err := Parse(bmpInfo(64, -48, 40, 0), 54)
	if err != nil || !info.TopDown || info.Height != 48 {
		t.Fatalf("negative height: %+v, %v", info, err)
	}
	info, err = Parse(bmpInfo(64, 48, 40, 0), 54)
	if err != nil || info.TopDown {
		t.Fatalf("positive height: %+v, %v", info, err)
	}
}

// The 69-byte PNG declaring 60000×60000 pixels makes OpenCV throw
// CV_IO_MAX_IMAGE_PIXELS outside any handler: SIGABRT.
func TestHugePNGRefused(t *testing.T) {
	data := craftedPNG(60000, 60000)
	if len(data) != 69 {
		t.Fatalf("crafted PNG is %d bytes, want 69", len(data))
	}
	if z, err := zlib.NewReader(bytes.NewReader(tinyIDAT)); err != nil {
		t.Fatal(err)
	} else if b, err := io.ReadAll(z); err != nil || len(b) != 4 {
		t.Fatalf("tiny IDAT is not a zlib stream of 4 bytes: %v %v", b, err)
	}
	info, err := CheckBytes("photo.png", data)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("CheckBytes = %+v, %v; want ErrTooLarge", info, err)
	}
	const want = "photo.png: PNG declares 60000×60000 pixels, more than the 40-megapixel limit; refusing to decode it"
	if err.Error() != want {
		t.Errorf("message\n got %q\nwant %q", err, want)
	}
	var e *Error
	if !errors.As(err, &e) || e.Path != "photo.png" || e.Format != PNG || e.Width != 60000 || e.Height != 60000 {
		t.Errorf("*Error fields: %+v", e)
	}
	if info.Format != PNG || info.Width != 60000 {
		t.Errorf("info %+v", info)
	}
}

func TestCheckLimits(t *testing.T) {
	ok := func(w, h int) Info { return Info{Format: PNG, Width: w, Height: h} }
	for _, c := range []struct {
		name string
		info Info
		lim  Limits
		want error // nil: accepted
		text string
	}{
		{"webcam 4K", ok(3840, 2160), Limits{}, nil, ""},
		{"exactly 40 MP", ok(8000, 5000), Limits{}, nil, ""},
		{"widest panorama", ok(16384, 2441), Limits{}, nil, ""},
		{"just over 40 MP", ok(8001, 5000), Limits{}, ErrTooLarge, "more than the 40-megapixel limit"},
		{"20000 square", ok(20000, 20000), Limits{}, ErrTooLarge, "20000×20000"},
		{"too wide", ok(16385, 100), Limits{}, ErrTooLarge, "wider than the 16384-pixel limit"},
		{"too tall", ok(100, 16385), Limits{}, ErrTooLarge, "taller than the 16384-pixel limit"},
		{"overflowing", ok(math.MaxInt32, math.MaxInt32), Limits{}, ErrTooLarge, "megapixel"},
		{"no width", ok(0, 10), Limits{}, ErrNoPixels, "0×10"},
		{"no height", ok(10, 0), Limits{}, ErrNoPixels, "no pixels"},
		{"custom side", ok(700, 10), Limits{MaxSide: 640}, ErrTooLarge, "640-pixel"},
		{"custom pixels", ok(700, 500), Limits{MaxPixels: 300_000}, ErrTooLarge, "0.3-megapixel"},
		{"huge TIFF tiles", Info{Format: TIFF, Width: 64, Height: 64, TileWidth: 16368, TileHeight: 16368}, Limits{}, ErrTooLarge, "tiles of 16368×16368"},
		{"normal TIFF tiles", Info{Format: TIFF, Width: 640, Height: 480, TileWidth: 256, TileHeight: 256}, Limits{}, nil, ""},
		{"unknown", Info{}, Limits{}, ErrUnknownFormat, "not an image format"},
		{"gif", Info{Format: GIF, Width: 10, Height: 10}, Limits{}, ErrUnsupportedFormat, "cannot decode GIF"},
		{"openexr", Info{Format: OpenEXR}, Limits{}, ErrUnsupportedFormat, "OpenEXR"},
		{"header past the end", Info{Format: PNG, Width: 10, Height: 10, HeaderSize: 33, Size: 20}, Limits{}, ErrTruncated, "needs 33 bytes"},
	} {
		err := Check(c.info, c.lim)
		if c.want == nil {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: Check = %v, want %v saying %q", c.name, err, c.want, c.text)
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: not an *Error: %T", c.name, err)
		}
	}
}

// Every header cut short is refused as truncated (or as too short to be
// identified); given as the start of a longer file it asks for more.
func TestTruncatedHeaders(t *testing.T) {
	for _, s := range samples(t) {
		info, err := Parse(s.data, int64(len(s.data)))
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < int(info.HeaderSize); k++ {
			cut := s.data[:k]
			_, err := Parse(cut, int64(k))
			switch {
			case k == 0:
				if !errors.Is(err, ErrEmpty) {
					t.Errorf("%s: empty: %v", s.name, err)
				}
			case identify(cut) == Unknown:
				if !errors.Is(err, ErrUnknownFormat) {
					t.Errorf("%s cut to %d bytes: %v, want unknown format", s.name, k, err)
				}
			case !errors.Is(err, ErrTruncated):
				t.Errorf("%s cut to %d bytes: %v, want ErrTruncated", s.name, k, err)
			}
			if _, err := Parse(cut, int64(len(s.data))); !errors.Is(err, ErrNeedMore) {
				t.Errorf("%s: first %d bytes of %d: %v, want ErrNeedMore", s.name, k, len(s.data), err)
			}
			if _, err := CheckBytes("cut.img", cut); err == nil || (k > 0 && !strings.HasPrefix(err.Error(), "cut.img: ")) {
				t.Errorf("%s cut to %d bytes: CheckBytes = %v", s.name, k, err)
			}
		}
	}
}

func TestJPEGMarkerWalk(t *testing.T) {
	j := encodeJPEG(t, 48, 40)
	sos := bytes.Index(j, []byte{0xFF, 0xDA})
	for _, c := range []struct {
		name string
		data []byte
		want error
		text string
	}{
		{"SOS before SOF", jpegWithSegments(j, []byte{0xFF, 0xDA, 0, 2}), ErrMalformed, "SOS"},
		{"EOI before SOF", jpegWithSegments(j, []byte{0xFF, 0xD9}), ErrMalformed, "end of image"},
		{"second SOI", jpegWithSegments(j, []byte{0xFF, 0xD8}), ErrMalformed, "second start-of-image"},
		{"segment length 1", jpegWithSegments(j, []byte{0xFF, 0xE1, 0, 1}), ErrMalformed, "length 1"},
		{"unknown marker", jpegWithSegments(j, []byte{0xFF, 0xF3, 0, 2}), ErrMalformed, "0xFFF3"},
		{"SOF length 7", jpegWithSegments(j, []byte{0xFF, 0xC0, 0, 7, 8, 0, 10, 0, 10}), ErrMalformed, "SOF0"},
		{"cut inside a big APP1", jpegWithSegments(j, seg(0xE1, 60000))[:30000], ErrTruncated, "ends inside"},
		{"cut inside SOF", j[:bytes.Index(j, []byte{0xFF, 0xC0})+6], ErrTruncated, "frame header (SOF0)"},
		{"no SOF at all", append(j[:2:2], 0xFF, 0xD9), ErrMalformed, "end of image"},
		{"only garbage", append(j[:3:3], bytes.Repeat([]byte{1}, 100)...), ErrTruncated, "JPEG"},
		{"SOF with no scan data", j[:sos], nil, ""},
	} {
		info, err := Parse(c.data, int64(len(c.data)))
		if c.want == nil {
			if err != nil || info.Width != 48 {
				t.Errorf("%s: %+v %v", c.name, info, err)
			}
			continue
		}
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %v, want %v saying %q", c.name, err, c.want, c.text)
		}
		if info.Width != 0 || info.Height != 0 {
			t.Errorf("%s: dimensions %d×%d reported with an error", c.name, info.Width, info.Height)
		}
	}
	// A frame height of 0 (DNL, which libjpeg does not support).
	info, err := Parse(patchSOF(j, 48, 0), int64(len(j)))
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(info, Limits{}); !errors.Is(err, ErrNoPixels) {
		t.Errorf("height 0: %v", err)
	}
	// 65000×65000: OpenCV aborts; 20000×20000: a 400-byte file decoded into 1.2 GB.
	for _, wh := range []uint16{65000, 20000} {
		info, err := CheckBytes("big.jpg", patchSOF(j, wh, wh))
		if !errors.Is(err, ErrTooLarge) || info.Width != int(wh) {
			t.Errorf("%d²: %+v %v", wh, info, err)
		}
	}
}

func TestMoreRefusals(t *testing.T) {
	le := binary.LittleEndian
	tiled := tiffFile(le, false, tiffEntry{256, 3, 64}, tiffEntry{257, 3, 64}, tiffEntry{322, 4, 16368}, tiffEntry{323, 4, 16368})
	vp8x := webpVP8X(10, 10)
	copy(vp8x[16:], []byte{11, 0, 0, 0})
	for _, c := range []struct {
		name   string
		data   []byte
		format Format
		want   error
		text   string
	}{
		{"BMP height -2^31 (OpenCV: abs overflows, abort)", bmpInfo(100, -1<<31, 40, 0), BMP, ErrTooLarge, "100×214748364"}, // 2^31, or 2^31-1 on 32-bit platforms
		{"BMP 60000² (abort)", bmpInfo(60000, 60000, 40, 0), BMP, ErrTooLarge, "BMP declares 60000×60000"},
		{"BMP negative width", bmpInfo(-5, 10, 40, 0), BMP, ErrMalformed, "negative width"},
		{"BMP 20-byte header", func() []byte { b := bmpInfo(5, 5, 40, 0); le.PutUint32(b[14:], 20); return b }(), BMP, ErrMalformed, "20-byte"},
		{"BMP zero width", bmpInfo(0, 10, 40, 0), BMP, ErrNoPixels, "no pixels"},
		{"TIFF 60000² (abort)", tiffSized(le, 4, 60000, 60000), TIFF, ErrTooLarge, "TIFF declares 60000×60000"},
		{"TIFF 64² in 16368² tiles (1.1 GB)", tiled, TIFF, ErrTooLarge, "tiles"},
		{"TIFF width twice", tiffFile(le, false, tiffEntry{256, 3, 64}, tiffEntry{257, 3, 64}, tiffEntry{256, 4, 1 << 20}), TIFF, ErrMalformed, "twice"},
		{"TIFF width as RATIONAL", tiffFile(le, false, tiffEntry{256, 5, 64}, tiffEntry{257, 3, 64}), TIFF, ErrMalformed, "type 5"},
		{"TIFF no length", tiffFile(le, false, tiffEntry{256, 3, 64}), TIFF, ErrMalformed, "no ImageLength"},
		{"TIFF directory past the end", func() []byte { b := tiffSized(le, 3, 5, 5); le.PutUint32(b[4:], 9999); return b }(), TIFF, ErrTruncated, "first directory"},
		{"TIFF directory in the header", func() []byte { b := tiffSized(le, 3, 5, 5); le.PutUint32(b[4:], 4); return b }(), TIFF, ErrMalformed, "inside the header"},
		{"WebP VP8X 60000² (abort)", webpVP8X(60000, 60000), WebP, ErrTooLarge, "WebP declares 60000×60000"},
		{"WebP VP8X of 11 bytes", vp8x, WebP, ErrMalformed, "VP8X chunk"},
		{"WebP shorter than 32 bytes", webpVP8X(10, 10)[:31], WebP, ErrTruncated, "32-byte header"},
		{"WebP other chunk", riff("ALPH", make([]byte, 20)), WebP, ErrMalformed, "ALPH"},
		{"PNG IHDR not first", append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("gAMA", make([]byte, 4))...), PNG, ErrMalformed, "gAMA"},
		{"PNG bad CRC", func() []byte { b := craftedPNG(10, 10); b[29]++; return b }(), PNG, ErrMalformed, "checksum"},
		{"PNG zero width", craftedPNG(0, 10), PNG, ErrNoPixels, "no pixels"},
		{"PPM 60000² (abort)", []byte("P6\n60000 60000\n255\n"), PNM, ErrTooLarge, "PNM declares 60000×60000"},
		{"PPM width past INT_MAX", []byte("P6 99999999999 1 255\n"), PNM, ErrTooLarge, "214748364"}, // saturated at 2^31 (2^31-1 on 32-bit)
		{"PPM maxval 0", []byte("P6 5 5 0\n"), PNM, ErrMalformed, "maximum value 0"},
		{"PPM letters", []byte("P6 5 x 255\n"), PNM, ErrMalformed, "unexpected byte 'x'"},
		{"PPM no byte after maxval", []byte("P6 5 5 255"), PNM, ErrTruncated, "ends inside"},
		{"PPM comment to the end", []byte("P6 5 5 # no end"), PNM, ErrTruncated, "ends inside"},
		{"PAM (abort if huge)", []byte("P7\nWIDTH 60000\nHEIGHT 60000\nDEPTH 3\nMAXVAL 255\nENDHDR\n"), PAM, ErrUnsupportedFormat, "PAM image"},
		{"PFM", []byte("PF\n60000 60000\n-1.0\n"), PFM, ErrUnsupportedFormat, "PFM"},
		{"Radiance HDR", []byte("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 60000 +X 60000\n"), RadianceHDR, ErrUnsupportedFormat, "Radiance HDR"},
		{"Sun raster", append([]byte{0x59, 0xA6, 0x6A, 0x95}, make([]byte, 28)...), SunRaster, ErrUnsupportedFormat, "Sun raster"},
		{"JPEG 2000 codestream", append([]byte{0xFF, 0x4F, 0xFF, 0x51}, make([]byte, 40)...), JPEG2000, ErrUnsupportedFormat, "JPEG 2000"},
		{"JP2", append(append([]byte{}, sigJP2...), make([]byte, 40)...), JPEG2000, ErrUnsupportedFormat, "JPEG 2000"},
		{"OpenEXR", append([]byte{0x76, 0x2F, 0x31, 0x01}, make([]byte, 40)...), OpenEXR, ErrUnsupportedFormat, "OpenEXR"},
		{"text", []byte("not an image\n"), Unknown, ErrUnknownFormat, `starts with "not an i"`},
		{"MP4", []byte("\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2"), Unknown, ErrUnknownFormat, "not JPEG, PNG"},
		{"RIFF AVI", append([]byte("RIFF\x00\x10\x00\x00AVI LIST"), make([]byte, 40)...), Unknown, ErrUnknownFormat, `starts with "RIFF`},
		{"BigTIFF (OpenCV 4.6 does not read it)", []byte("II\x2b\x00\x08\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00"), Unknown, ErrUnknownFormat, ""},
		{"PNM without whitespace", []byte("P6x"), Unknown, ErrUnknownFormat, ""},
	} {
		info, err := CheckBytes("f", c.data)
		if info.Format != c.format || !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %v, %v; want %v, %v saying %q", c.name, info.Format, err, c.format, c.want, c.text)
		}
		if !strings.HasPrefix(err.Error(), "f: ") {
			t.Errorf("%s: %q does not name the file", c.name, err)
		}
	}
}

// countingReader counts the bytes read through ReadAt.
type countingReader struct {
	r           io.ReaderAt
	reads, read int
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	c.reads++
	n, err := c.r.ReadAt(p, off)
	c.read += n
	return n, err
}

// A JPEG's SOF after 200 KB of metadata is found by seeking over segments.
func TestReadSeeksOverSegments(t *testing.T) {
	j := encodeJPEG(t, 48, 40)
	var segs [][]byte
	for range 3 {
		segs = append(segs, seg(0xE1, 65533))
	}
	segs = append(segs, seg(0xE2, 60000))
	data := jpegWithSegments(j, segs...)
	cr := &countingReader{r: bytes.NewReader(data)}
	info, err := Read(cr, int64(len(data)))
	if err != nil || info.Width != 48 || info.Height != 40 {
		t.Fatalf("%+v %v", info, err)
	}
	if cr.read > 6*readWindow || cr.reads > 6 {
		t.Errorf("read %d bytes in %d reads to find the SOF of a %d-byte file", cr.read, cr.reads, len(data))
	}
}

// appStream is a virtual JPEG: SOI, then n APP1 segments of 64 KiB, then
// a SOF; nothing is stored.
type appStream struct{ n int64 }

const appSeg = 65537 // FF E1 + length 65535

func (a appStream) size() int64 { return 2 + a.n*appSeg + 20 }

func (a appStream) ReadAt(p []byte, off int64) (int, error) {
	for i := range p {
		o := off + int64(i)
		switch {
		case o >= a.size():
			return i, io.EOF
		case o < 2:
			p[i] = []byte{0xFF, 0xD8}[o]
		case o >= 2+a.n*appSeg:
			p[i] = []byte{0xFF, 0xC0, 0, 11, 8, 0, 40, 0, 48, 1, 1, 0x11, 0, 0xFF, 0xD9, 0, 0, 0, 0, 0}[o-2-a.n*appSeg]
		default:
			switch (o - 2) % appSeg {
			case 0:
				p[i] = 0xFF
			case 1:
				p[i] = 0xE1
			case 2, 3:
				p[i] = 0xFF
			default:
				p[i] = 'x'
			}
		}
	}
	return len(p), nil
}

func TestJPEGScanIsCapped(t *testing.T) {
	near := appStream{n: 400} // SOF at 26 MB
	cr := &countingReader{r: near}
	info, err := Read(cr, near.size())
	if err != nil || info.Width != 48 || info.Height != 40 {
		t.Fatalf("SOF after 400 segments: %+v %v", info, err)
	}
	if cr.read > 402*readWindow {
		t.Errorf("read %d bytes", cr.read)
	}
	far := appStream{n: MaxJPEGScan/appSeg + 1}
	cr = &countingReader{r: far}
	_, err = Read(cr, far.size())
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "no frame header (SOF marker) in the first 32 MiB") {
		t.Fatalf("SOF past the cap: %v", err)
	}
	if cr.read > (MaxJPEGScan/appSeg+2)*readWindow {
		t.Errorf("read %d bytes", cr.read)
	}
}

func TestCheckFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.jpg", jpegWithSegments(encodeJPEG(t, 64, 48), seg(0xE1, 65533), seg(0xE1, 65533)))
	if info, err := CheckFile(good); err != nil || info.Format != JPEG || info.Width != 64 || info.Height != 48 {
		t.Errorf("good: %+v %v", info, err)
	}
	huge := write("huge.png", craftedPNG(60000, 60000))
	if _, err := CheckFile(huge); !errors.Is(err, ErrTooLarge) || err.Error() != huge+": PNG declares 60000×60000 pixels, more than the 40-megapixel limit; refusing to decode it" {
		t.Errorf("huge: %v", err)
	}
	empty := write("empty.jpg", nil)
	if _, err := CheckFile(empty); !errors.Is(err, ErrEmpty) || err.Error() != empty+": file is empty" {
		t.Errorf("empty: %v", err)
	}
	// A .png holding a JPEG is read by content, as OpenCV does.
	named := write("really-a-jpeg.png", encodeJPEG(t, 40, 30))
	if info, err := CheckFile(named); err != nil || info.Format != JPEG {
		t.Errorf("misnamed: %+v %v", info, err)
	}
	if _, err := CheckFile(filepath.Join(dir, "missing.png")); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing.png") {
		t.Errorf("missing: %v", err)
	}
	if _, err := CheckFile(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
}

func TestFormatString(t *testing.T) {
	if JPEG.String() != "JPEG" || Unknown.String() != "unknown format" || Format(99).String() != "Format(99)" || Format(-1).String() != "Format(-1)" {
		t.Error(JPEG, Unknown, Format(99), Format(-1))
	}
	for f := Unknown; f <= OpenEXR; f++ {
		if f.String() == "" {
			t.Errorf("format %d has no name", int(f))
		}
	}
}
