package imagefile

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

// Small real headers for the tests and the fuzz corpus: PNG, JPEG and GIF
// from Go's encoders, the others built by hand from their specifications.

// pngChunk is one chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	return b.Bytes()
}

// tinyIDAT is a valid zlib stream (four zero bytes): with it libpng's
// png_read_info gets past the header, so OpenCV goes on to its size check.
var tinyIDAT = []byte{0x78, 0x9c, 0x63, 0x60, 0x60, 0x60, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01}

// craftedPNG is a PNG declaring w×h 8-bit RGB pixels: signature, IHDR, a
// 12-byte IDAT and IEND, 69 bytes, all CRCs correct.
func craftedPNG(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit, RGB
	out := append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", tinyIDAT)...)
	return append(out, pngChunk("IEND", nil)...)
}

func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 5), 90, 255})
		}
	}
	return img
}

func encodePNG(tb testing.TB, w, h int) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(w, h)); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(tb testing.TB, w, h int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(w, h), &jpeg.Options{Quality: 80}); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func encodeGIF(tb testing.TB, w, h int) []byte {
	var b bytes.Buffer
	if err := gif.Encode(&b, testImage(w, h), nil); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// jpegWithSegments inserts segments (each a marker byte and its payload, or
// raw bytes with marker 0) between SOI and the rest of a JPEG.
func jpegWithSegments(j []byte, segs ...[]byte) []byte {
	out := append([]byte{}, j[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, j[2:]...)
}

// seg is a length-prefixed JPEG segment with marker m and n payload bytes.
func seg(m byte, n int) []byte {
	s := []byte{0xFF, m, byte((n + 2) >> 8), byte(n + 2)}
	return append(s, bytes.Repeat([]byte{'x'}, n)...)
}

// patchSOF sets the size in a JPEG's first SOF0 (Go writes baseline JPEGs).
func patchSOF(j []byte, w, h uint16) []byte {
	j = append([]byte{}, j...)
	i := bytes.Index(j, []byte{0xFF, 0xC0})
	binary.BigEndian.PutUint16(j[i+5:], h)
	binary.BigEndian.PutUint16(j[i+7:], w)
	return j
}

// bmpInfo is a 24-bit BMP with a BITMAPINFOHEADER of hs bytes (40, 108,
// 124) and no pixel data unless body is set.
func bmpInfo(w, h int32, hs uint32, body int) []byte {
	le := binary.LittleEndian
	b := make([]byte, 14+hs+uint32(body))
	copy(b, "BM")
	le.PutUint32(b[2:], uint32(len(b)))
	le.PutUint32(b[10:], 14+hs)
	le.PutUint32(b[14:], hs)
	le.PutUint32(b[18:], uint32(w))
	le.PutUint32(b[22:], uint32(h))
	le.PutUint16(b[26:], 1)
	le.PutUint16(b[28:], 24)
	return b
}

// bmpCore is a 24-bit BMP with the 12-byte OS/2 core header.
func bmpCore(w, h uint16) []byte {
	le := binary.LittleEndian
	b := make([]byte, 14+12)
	copy(b, "BM")
	le.PutUint32(b[2:], uint32(len(b)))
	le.PutUint32(b[10:], 26)
	le.PutUint32(b[14:], 12)
	le.PutUint16(b[18:], w)
	le.PutUint16(b[20:], h)
	le.PutUint16(b[22:], 1)
	le.PutUint16(b[24:], 24)
	return b
}

// tiffEntry is one directory entry: tag, type (3 SHORT, 4 LONG), value.
type tiffEntry struct {
	tag, typ uint16
	val      uint32
}

// tiffFile builds a TIFF whose first directory holds entries; with atEnd the
// directory follows 100 bytes of "pixel data", as libtiff writes it.
func tiffFile(bo interface {
	binary.ByteOrder
	binary.AppendByteOrder
}, atEnd bool, entries ...tiffEntry) []byte {
	var b []byte
	if bo.String() == binary.BigEndian.String() {
		b = []byte("MM\x00\x2a\x00\x00\x00\x00")
	} else {
		b = []byte("II\x2a\x00\x00\x00\x00\x00")
	}
	if atEnd {
		b = append(b, make([]byte, 100)...)
	}
	bo.PutUint32(b[4:], uint32(len(b)))
	b = bo.AppendUint16(b, uint16(len(entries)))
	for _, e := range entries {
		b = bo.AppendUint16(b, e.tag)
		b = bo.AppendUint16(b, e.typ)
		b = bo.AppendUint32(b, 1)
		if e.typ == 3 {
			b = bo.AppendUint16(b, uint16(e.val))
			b = bo.AppendUint16(b, 0)
		} else {
			b = bo.AppendUint32(b, e.val)
		}
	}
	return bo.AppendUint32(b, 0) // no next directory
}

func tiffSized(bo interface {
	binary.ByteOrder
	binary.AppendByteOrder
}, typ uint16, w, h uint32) []byte {
	return tiffFile(bo, false, tiffEntry{256, typ, w}, tiffEntry{257, typ, h}, tiffEntry{258, 3, 8}, tiffEntry{262, 3, 1})
}

func riff(chunk string, payload []byte) []byte {
	b := []byte("RIFF\x00\x00\x00\x00WEBP")
	b = append(b, chunk...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(payload)))
	b = append(b, payload...)
	if len(payload)%2 == 1 {
		b = append(b, 0)
	}
	for len(b) < 40 { // some bitstream after the header
		b = append(b, 0)
	}
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	return b
}

func webpVP8X(w, h uint32) []byte {
	p := make([]byte, 10)
	p[0] = 0x10 // alpha
	w, h = w-1, h-1
	copy(p[4:], []byte{byte(w), byte(w >> 8), byte(w >> 16), byte(h), byte(h >> 8), byte(h >> 16)})
	return riff("VP8X", p)
}

func webpVP8(w, h uint16) []byte {
	p := []byte{0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a} // key frame, shown; start code
	p = binary.LittleEndian.AppendUint16(p, w)
	p = binary.LittleEndian.AppendUint16(p, h)
	return riff("VP8 ", append(p, make([]byte, 10)...))
}

func webpVP8L(w, h uint32) []byte {
	p := []byte{0x2f}
	p = binary.LittleEndian.AppendUint32(p, (w-1)|(h-1)<<14)
	return riff("VP8L", append(p, make([]byte, 10)...))
}

// sample is a header with its expected reading.
type sample struct {
	name   string
	data   []byte
	format Format
	w, h   int
}

// samples are valid headers of every format read here.
func samples(tb testing.TB) []sample {
	j := encodeJPEG(tb, 48, 40)
	return []sample{
		{"go-png", encodePNG(tb, 33, 21), PNG, 33, 21},
		{"crafted-png", craftedPNG(640, 480), PNG, 640, 480},
		{"go-jpeg", j, JPEG, 48, 40},
		{"jpeg-exif-icc-com", jpegWithSegments(j, seg(0xE1, 30000), seg(0xE2, 65533), seg(0xFE, 10)), JPEG, 48, 40},
		{"jpeg-fill-bytes", jpegWithSegments(j, []byte{0xFF, 0xFF, 0xFF}, seg(0xE0, 14), []byte{0xFF, 0xFF}), JPEG, 48, 40},
		{"jpeg-rst-tem-garbage", jpegWithSegments(j, []byte{0xFF, 0xD3, 0xFF, 0x01, 'g', 'a', 0xFF, 0x00, 'r'}), JPEG, 48, 40},
		{"jpeg-3000x2000", patchSOF(j, 3000, 2000), JPEG, 3000, 2000},
		{"go-gif", encodeGIF(tb, 20, 10), GIF, 20, 10},
		{"bmp-info40", bmpInfo(320, 240, 40, 320*240*3), BMP, 320, 240},
		{"bmp-info124-topdown", bmpInfo(64, -48, 124, 64*48*3), BMP, 64, 48},
		{"bmp-core12", bmpCore(300, 200), BMP, 300, 200},
		{"tiff-le-short", tiffSized(binary.LittleEndian, 3, 640, 480), TIFF, 640, 480},
		{"tiff-be-long", tiffSized(binary.BigEndian, 4, 1920, 1080), TIFF, 1920, 1080},
		{"tiff-be-short-dir-at-end", tiffFile(binary.BigEndian, true, tiffEntry{256, 3, 100}, tiffEntry{257, 4, 70}), TIFF, 100, 70},
		{"webp-vp8", webpVP8(1280, 720), WebP, 1280, 720},
		{"webp-vp8l", webpVP8L(16384, 2), WebP, 16384, 2},
		{"webp-vp8x", webpVP8X(4000, 3000), WebP, 4000, 3000},
		{"pbm-p1", []byte("P1\n# a bitmap\n4 3\n0 1 0 1\n"), PNM, 4, 3},
		{"pgm-p5", append([]byte("P5 7 5 255\n"), make([]byte, 35)...), PNM, 7, 5},
		{"ppm-p6-comments", append([]byte("P6\r# made by hand\r\n#second\n 640\t# w\n480\n65535\n"), make([]byte, 40)...), PNM, 640, 480},
		{"ppm-p3", []byte("P3\n2 1\n255\n0 0 0 255 255 255\n"), PNM, 2, 1},
		{"pbm-p4", append([]byte("P4\n16 2\n"), 0, 0, 0, 0), PNM, 16, 2},
	}
}
