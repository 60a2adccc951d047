package imagefile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// MaxJPEGScan is how far into a JPEG file its frame header (SOF marker) is
// looked for. Metadata before it (Exif, ICC profiles, XMP and extended XMP
// with a phone's depth map) is skipped by segment length, so this costs a few
// small reads however far the SOF is; a file without a SOF this early is
// refused.
const MaxJPEGScan = 32 << 20

// maxPNMHeader bounds a PNM header with its comments.
const maxPNMHeader = 64 << 10

// maxTIFFEntries is libtiff's own sanity limit for a directory.
const maxTIFFEntries = 4096

// sigLen is how many bytes identify every format below.
const sigLen = 16

// parser reads one file's header.
type parser struct {
	s    source
	f    Format
	info Info
}

// need returns n bytes at off or the error saying the file ends (or the
// bytes given end) inside what.
func (p *parser) need(off int64, n int, what string) ([]byte, error) {
	b, err := p.s.at(off, n)
	switch {
	case err == nil:
		return b, nil
	case errors.Is(err, errPastEnd):
		return nil, refuse(ErrTruncated, p.f, "%s file of %d bytes ends inside its %s; refusing to decode it", p.f, p.s.size(), what)
	case errors.Is(err, ErrNeedMore):
		return nil, refuse(ErrNeedMore, p.f, "%s %s continues past the bytes given", p.f, what)
	default:
		return nil, fmt.Errorf("reading the %s %s: %w", p.f, what, err)
	}
}

func (p *parser) malformed(format string, args ...any) error {
	return refuse(ErrMalformed, p.f, "%s header: %s; refusing to decode it", p.f, fmt.Sprintf(format, args...))
}

// done fills the dimensions in; end is the offset just past the fields read.
func (p *parser) done(w, h int64, end int64) (Info, error) {
	p.info.Width, p.info.Height = clampInt(w), clampInt(h)
	p.info.HeaderSize = end
	return p.info, nil
}

func parse(s source) (Info, error) {
	n := s.size()
	if n <= 0 {
		return Info{}, refuse(ErrEmpty, Unknown, "file is empty")
	}
	sig, err := s.prefix(sigLen)
	if err != nil {
		return Info{Size: n}, fmt.Errorf("reading the image signature: %w", err)
	}
	f := identify(sig)
	p := &parser{s: s, f: f, info: Info{Format: f, Size: n}}
	var info Info
	switch f {
	case JPEG:
		info, err = p.jpeg()
	case PNG:
		info, err = p.png()
	case BMP:
		info, err = p.bmp()
	case WebP:
		info, err = p.webp()
	case TIFF:
		info, err = p.tiff()
	case GIF:
		info, err = p.gif()
	case PNM:
		info, err = p.pnm()
	case Unknown:
		if len(sig) < sigLen && int64(len(sig)) < n {
			return p.info, refuse(ErrNeedMore, f, "%d bytes are too few to identify the format", len(sig))
		}
		return p.info, refuse(ErrUnknownFormat, f, "not an image format OpenCV decodes here (it starts with %s), not JPEG, PNG, BMP, WebP, TIFF or PNM; refusing to decode it", quoteStart(sig))
	default: // recognised by signature only; Check refuses it
		p.info.HeaderSize = signatureSize(f, sig)
		return p.info, nil
	}
	if err != nil {
		return Info{Format: f, Size: n}, err
	}
	return info, nil
}

var (
	sigPNG  = []byte("\x89PNG\r\n\x1a\n")
	sigJP2  = []byte("\x00\x00\x00\x0cjP  \r\n\x87\n")
	sigJ2K  = []byte("\xff\x4f\xff\x51")
	sigSun  = []byte("\x59\xa6\x6a\x95")
	sigEXR  = []byte("\x76\x2f\x31\x01")
	sigTIFF = [][]byte{[]byte("II\x2a\x00"), []byte("MM\x00\x2a")}
)

// identify names the format from the first bytes the way OpenCV's decoders'
// signature checks do (in their order): by content, whatever the file name.
func identify(b []byte) Format {
	has := func(p []byte) bool { return bytes.HasPrefix(b, p) }
	hasS := func(p string) bool { return bytes.HasPrefix(b, []byte(p)) }
	switch {
	case hasS("BM"):
		return BMP
	case hasS("#?RGBE"), hasS("#?RADIANCE"):
		return RadianceHDR
	case hasS("\xff\xd8\xff"):
		return JPEG
	case len(b) >= 12 && hasS("RIFF") && string(b[8:12]) == "WEBP":
		return WebP
	case has(sigSun):
		return SunRaster
	case len(b) >= 3 && b[0] == 'P' && '1' <= b[1] && b[1] <= '6' && isSpace(b[2]):
		return PNM
	case len(b) >= 3 && b[0] == 'P' && b[1] == '7' && isSpace(b[2]):
		return PAM
	case len(b) >= 3 && b[0] == 'P' && (b[1] == 'F' || b[1] == 'f') && isSpace(b[2]):
		return PFM
	case has(sigTIFF[0]), has(sigTIFF[1]):
		return TIFF
	case has(sigPNG):
		return PNG
	case has(sigJP2), has(sigJ2K):
		return JPEG2000
	case has(sigEXR):
		return OpenEXR
	case hasS("GIF87a"), hasS("GIF89a"):
		return GIF
	}
	return Unknown
}

// signatureSize is the length of the signature that identified one of the
// formats whose header is not read.
func signatureSize(f Format, sig []byte) int64 {
	switch {
	case f == PAM || f == PFM:
		return 3
	case f == RadianceHDR && bytes.HasPrefix(sig, []byte("#?RGBE")):
		return 6
	case f == RadianceHDR:
		return 10
	case f == JPEG2000 && bytes.HasPrefix(sig, sigJP2):
		return int64(len(sigJP2))
	}
	return 4 // Sun raster, OpenEXR, JPEG 2000 codestream
}

// isSpace is C's isspace in the "C" locale, as OpenCV's PNM reader uses it.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// jpeg walks the markers the way libjpeg's read_markers does up to the first
// frame header (SOFn), whose size libjpeg then uses: bytes other than 0xFF
// between segments are skipped, as are 0xFF fill bytes and stuffed 0xFF00;
// RSTn and TEM stand alone; other segments are skipped by their length.
func (p *parser) jpeg() (Info, error) {
	pos := int64(2) // after SOI
	next := func() (byte, error) {
		if pos >= MaxJPEGScan {
			return 0, p.malformed("no frame header (SOF marker) in the first %d MiB", MaxJPEGScan>>20)
		}
		b, err := p.need(pos, 1, "markers before the frame header (SOF)")
		if err != nil {
			return 0, err
		}
		pos++
		return b[0], nil
	}
	for {
		c, err := next()
		if err != nil {
			return Info{}, err
		}
		if c != 0xFF {
			continue // garbage between segments, skipped as libjpeg does
		}
		for c == 0xFF {
			if c, err = next(); err != nil {
				return Info{}, err
			}
		}
		m := c
		switch {
		case m == 0x00: // stuffed zero: data, not a marker
		case m == 0x01 || 0xD0 <= m && m <= 0xD7: // TEM, RSTn: no length
		case m == 0xD8:
			return Info{}, p.malformed("a second start-of-image marker before the frame header")
		case m == 0xD9:
			return Info{}, p.malformed("end of image before any frame header (SOF marker)")
		case m == 0xDA:
			return Info{}, p.malformed("scan data (SOS) before the frame header (SOF marker)")
		case 0xC0 <= m && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC: // SOF0…SOF15
			b, err := p.need(pos, 8, fmt.Sprintf("frame header (SOF%d)", m-0xC0))
			if err != nil {
				return Info{}, err
			}
			if l := binary.BigEndian.Uint16(b); l < 8 {
				return Info{}, p.malformed("frame header (SOF%d) of %d bytes", m-0xC0, l)
			}
			h := binary.BigEndian.Uint16(b[3:])
			w := binary.BigEndian.Uint16(b[5:])
			return p.done(int64(w), int64(h), pos+8)
		case m == 0xC4 || m == 0xCC || 0xDB <= m && m <= 0xDD || 0xE0 <= m && m <= 0xEF || m == 0xFE:
			// DHT, DAC, DQT, DNL, DRI, APPn, COM: length-prefixed
			b, err := p.need(pos, 2, fmt.Sprintf("segment 0xFF%02X", m))
			if err != nil {
				return Info{}, err
			}
			l := binary.BigEndian.Uint16(b)
			if l < 2 {
				return Info{}, p.malformed("segment 0xFF%02X with length %d", m, l)
			}
			pos += int64(l)
		default: // JPG, JPGn, DHP, EXP, reserved: libjpeg stops on them too
			return Info{}, p.malformed("marker 0xFF%02X at byte %d, which libjpeg does not accept", m, pos-2)
		}
	}
}

// png reads IHDR, which must be the first chunk (libpng insists too).
func (p *parser) png() (Info, error) {
	b, err := p.need(8, 8, "first chunk")
	if err != nil {
		return Info{}, err
	}
	if typ := string(b[4:8]); typ != "IHDR" {
		return Info{}, p.malformed("the first chunk is %q, not IHDR", typ)
	}
	if l := binary.BigEndian.Uint32(b); l != 13 {
		return Info{}, p.malformed("IHDR chunk of %d bytes, not 13", l)
	}
	b, err = p.need(12, 4+13+4, "IHDR chunk")
	if err != nil {
		return Info{}, err
	}
	if crc32.ChecksumIEEE(b[:17]) != binary.BigEndian.Uint32(b[17:]) {
		return Info{}, p.malformed("IHDR checksum mismatch")
	}
	w := binary.BigEndian.Uint32(b[4:])
	h := binary.BigEndian.Uint32(b[8:])
	return p.done(int64(w), int64(h), 33)
}

// bmp reads either the 12-byte BITMAPCOREHEADER (unsigned 16-bit sizes) or
// BITMAPINFOHEADER and its successors (signed 32-bit; a negative height means
// rows stored top first). OpenCV reads any header of 36 bytes or more as the
// latter and refuses other sizes.
func (p *parser) bmp() (Info, error) {
	b, err := p.need(0, 18, "file header")
	if err != nil {
		return Info{}, err
	}
	hs := binary.LittleEndian.Uint32(b[14:])
	switch {
	case hs == 12:
		b, err := p.need(0, 14+12, "core header")
		if err != nil {
			return Info{}, err
		}
		w := binary.LittleEndian.Uint16(b[18:])
		h := binary.LittleEndian.Uint16(b[20:])
		return p.done(int64(w), int64(h), 26)
	case hs >= 36:
		end := 14 + int(min(hs, 40))
		b, err := p.need(0, end, "info header")
		if err != nil {
			return Info{}, err
		}
		w := int64(int32(binary.LittleEndian.Uint32(b[18:])))
		h := int64(int32(binary.LittleEndian.Uint32(b[22:])))
		if w < 0 {
			return Info{}, p.malformed("negative width %d", w)
		}
		if h < 0 {
			h = -h // top-down; -(-2^31) is 2^31 here, not OpenCV's overflow
			p.info.TopDown = true
		}
		return p.done(w, h, int64(end))
	default:
		return Info{}, p.malformed("a %d-byte bitmap header, neither the 12-byte core header nor a 40-byte (or later) info header", hs)
	}
}

// webp reads the first chunk after RIFF/WEBP: VP8X (the canvas size), VP8
// (a lossy key frame) or VP8L (lossless). OpenCV reads 32 bytes before it
// accepts a WebP file at all, so that is the header size.
func (p *parser) webp() (Info, error) {
	b, err := p.need(0, 32, "32-byte header")
	if err != nil {
		return Info{}, err
	}
	le := binary.LittleEndian
	switch chunk := string(b[12:16]); chunk {
	case "VP8X":
		if l := le.Uint32(b[16:]); l != 10 {
			return Info{}, p.malformed("VP8X chunk of %d bytes, not 10", l)
		}
		w := 1 + int64(le.Uint32(b[24:28])&0xFFFFFF)
		h := 1 + int64(le.Uint32(b[26:30])>>8)
		return p.done(w, h, 32)
	case "VP8 ":
		if b[20]&1 != 0 {
			return Info{}, p.malformed("the VP8 frame is not a key frame")
		}
		if !bytes.Equal(b[23:26], []byte{0x9d, 0x01, 0x2a}) {
			return Info{}, p.malformed("no VP8 start code")
		}
		w := le.Uint16(b[26:]) & 0x3FFF
		h := le.Uint16(b[28:]) & 0x3FFF
		return p.done(int64(w), int64(h), 32)
	case "VP8L":
		if b[20] != 0x2F {
			return Info{}, p.malformed("no VP8L signature")
		}
		v := le.Uint32(b[21:])
		if v>>29 != 0 {
			return Info{}, p.malformed("VP8L version %d", v>>29)
		}
		return p.done(1+int64(v&0x3FFF), 1+int64(v>>14&0x3FFF), 32)
	default:
		return Info{}, p.malformed("the first chunk is %q, not VP8, VP8L or VP8X", chunk)
	}
}

// TIFF tags read from the first directory.
const (
	tagImageWidth  = 256
	tagImageLength = 257
	tagTileWidth   = 322
	tagTileLength  = 323
)

var tiffTagNames = map[uint16]string{tagImageWidth: "ImageWidth", tagImageLength: "ImageLength", tagTileWidth: "TileWidth", tagTileLength: "TileLength"}

// tiff reads ImageWidth and ImageLength (and the tile size) from the first
// directory, the one OpenCV decodes, in either byte order; each must be one
// SHORT or LONG.
func (p *parser) tiff() (Info, error) {
	b, err := p.need(0, 8, "header")
	if err != nil {
		return Info{}, err
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if b[0] == 'M' {
		bo = binary.BigEndian
	}
	ifd := int64(bo.Uint32(b[4:]))
	if ifd < 8 {
		return Info{}, p.malformed("first directory at byte %d, inside the header", ifd)
	}
	b, err = p.need(ifd, 2, "first directory")
	if err != nil {
		return Info{}, err
	}
	count := int(bo.Uint16(b))
	if count == 0 || count > maxTIFFEntries {
		return Info{}, p.malformed("first directory with %d entries", count)
	}
	b, err = p.need(ifd+2, count*12, "first directory")
	if err != nil {
		return Info{}, err
	}
	vals := map[uint16]int64{}
	for i := 0; i < count; i++ {
		e := b[i*12 : i*12+12]
		tag := bo.Uint16(e)
		name, ok := tiffTagNames[tag]
		if !ok {
			continue
		}
		if _, dup := vals[tag]; dup {
			return Info{}, p.malformed("%s given twice", name)
		}
		typ, n := bo.Uint16(e[2:]), bo.Uint32(e[4:])
		if n != 1 {
			return Info{}, p.malformed("%s with %d values", name, n)
		}
		switch typ {
		case 3: // SHORT, left-justified in the value field
			vals[tag] = int64(bo.Uint16(e[8:]))
		case 4: // LONG
			vals[tag] = int64(bo.Uint32(e[8:]))
		default:
			return Info{}, p.malformed("%s of type %d, not SHORT or LONG", name, typ)
		}
	}
	w, okW := vals[tagImageWidth]
	h, okH := vals[tagImageLength]
	if !okW || !okH {
		return Info{}, p.malformed("no ImageWidth or no ImageLength in the first directory")
	}
	p.info.TileWidth, p.info.TileHeight = clampInt(vals[tagTileWidth]), clampInt(vals[tagTileLength])
	return p.done(w, h, ifd+2+int64(count)*12)
}

// gif reads the logical screen size (OpenCV 4.6 cannot decode GIF).
func (p *parser) gif() (Info, error) {
	b, err := p.need(0, 10, "screen descriptor")
	if err != nil {
		return Info{}, err
	}
	w := binary.LittleEndian.Uint16(b[6:])
	h := binary.LittleEndian.Uint16(b[8:])
	return p.done(int64(w), int64(h), 10)
}

// pnm reads "P1"…"P6", width, height and (but for bitmaps) the maximum value,
// with OpenCV's rules: whitespace and "#" comments to the end of the line
// between numbers, one byte read past each number.
func (p *parser) pnm() (Info, error) {
	b, err := p.need(0, 2, "magic number")
	if err != nil {
		return Info{}, err
	}
	kind := b[1]
	pos := int64(2)
	next := func() (byte, error) {
		if pos >= maxPNMHeader {
			return 0, p.malformed("no image data in the first %d KiB", maxPNMHeader>>10)
		}
		b, err := p.need(pos, 1, "header")
		if err != nil {
			return 0, err
		}
		pos++
		return b[0], nil
	}
	number := func() (int64, error) {
		c, err := next()
		for err == nil && !isDigit(c) {
			switch {
			case c == '#':
				for err == nil && c != '\n' && c != '\r' {
					c, err = next()
				}
				if err == nil {
					c, err = next()
				}
			case isSpace(c):
				for err == nil && isSpace(c) {
					c, err = next()
				}
			default:
				return 0, p.malformed("unexpected byte %q at byte %d", c, pos-1)
			}
		}
		var v int64
		for err == nil && isDigit(c) {
			v = min(v*10+int64(c-'0'), 1<<31) // OpenCV refuses more than INT_MAX
			c, err = next()
		}
		return v, err
	}
	w, err := number()
	if err != nil {
		return Info{}, err
	}
	h, err := number()
	if err != nil {
		return Info{}, err
	}
	if kind != '1' && kind != '4' {
		maxval, err := number()
		if err != nil {
			return Info{}, err
		}
		if maxval < 1 || maxval > 65535 {
			return Info{}, p.malformed("maximum value %d, not 1 to 65535", maxval)
		}
	}
	return p.done(w, h, pos)
}
