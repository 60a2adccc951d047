// Package imagefile reads an image file's format and declared size from its
// header alone, in pure Go, so that a file can be refused before OpenCV
// decodes it.
//
// OpenCV 4.6 checks a decoded header against its own limits (1 gigapixel,
// 2^20 a side) with an assertion that throws a C++ exception outside any
// handler; through GoCV that terminates the whole process with SIGABRT, and
// Go's recover cannot catch it. Below those limits it allocates whatever the
// header declares: a 423-byte JPEG declaring 20000×20000 pixels costs 1.2 GB.
// Parse identifies the format the way OpenCV's decoders do (by content, not by
// file name) and reads the declared width and height; Check applies Limits
// that no webcam frame or ordinary photo reaches.
//
// The package uses only the standard library and builds without cgo.
package imagefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strings"
)

// Format is an image file format, identified by content.
type Format int

// The formats. JPEG, PNG, BMP, WebP, TIFF and PNM are decoded by OpenCV and
// their dimensions are read here. GIF's dimensions are read but OpenCV 4.6
// has no GIF decoder. PAM, PFM, SunRaster, RadianceHDR, JPEG2000 and OpenEXR
// are recognised by signature only (OpenCV here would decode them, but their
// dimensions are not read), so Check refuses them.
const (
	Unknown Format = iota
	JPEG
	PNG
	BMP
	WebP
	TIFF
	GIF
	PNM
	PAM
	PFM
	SunRaster
	RadianceHDR
	JPEG2000
	OpenEXR
)

var formatNames = [...]string{
	Unknown:     "unknown format",
	JPEG:        "JPEG",
	PNG:         "PNG",
	BMP:         "BMP",
	WebP:        "WebP",
	TIFF:        "TIFF",
	GIF:         "GIF",
	PNM:         "PNM",
	PAM:         "PAM",
	PFM:         "PFM",
	SunRaster:   "Sun raster",
	RadianceHDR: "Radiance HDR",
	JPEG2000:    "JPEG 2000",
	OpenEXR:     "OpenEXR",
}

func (f Format) String() string {
	if f >= 0 && int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Decodable reports whether OpenCV may be given a file of this format once
// Check has accepted its dimensions.
func (f Format) Decodable() bool {
	switch f {
	case JPEG, PNG, BMP, WebP, TIFF, PNM:
		return true
	}
	return false
}

// Info is what a header declares.
type Info struct {
	Format        Format
	Width, Height int // as declared; 0 when not read (Unknown and signature-only formats)
	// TileWidth and TileHeight are a tiled TIFF's tile size (0 otherwise):
	// OpenCV allocates one tile's worth of RGBA pixels however small the image.
	TileWidth, TileHeight int
	TopDown               bool  // BMP only: negative height, rows stored top first
	HeaderSize            int64 // bytes from the start of the file to the end of the fields read
	Size                  int64 // the file's size
}

// Limits bound the images Check accepts. A zero field means its default.
type Limits struct {
	MaxSide   int   // largest width or height; default MaxSide
	MaxPixels int64 // largest width×height; default MaxPixels
}

// The default limits. A webcam delivers at most 4K (3840×2160, 8.3
// megapixels) and the pose model looks at a 192-pixel square, so nothing
// bigger helps posture analysis. 40 megapixels is five times a 4K frame and
// covers ordinary camera and phone photos; decoded as 8-bit BGR it is a
// 120 MB Mat (measured: `analyze` peaks at 275 MB for a 40-megapixel
// baseline JPEG or 16-bit RGBA PNG, 370 MB for a progressive JPEG, against
// 1.26 GB for 20000×20000 and an abort beyond OpenCV's own 2^30 pixels).
// 16384 a side is the largest WebP can declare (without its extended
// header) and a common texture limit; panoramas up to 16384×2441 pass.
// Full-resolution 48- to 200-megapixel phone modes and very large camera
// files are refused with a message asking for a smaller copy.
const (
	MaxSide   = 16384
	MaxPixels = 40_000_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxSide <= 0 {
		l.MaxSide = MaxSide
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = MaxPixels
	}
	return l
}

// The reasons for a refusal; test them with errors.Is. Every error returned
// by this package for a refused file is an *Error wrapping one of them.
var (
	ErrEmpty             = errors.New("file is empty")
	ErrUnknownFormat     = errors.New("unknown image format")
	ErrUnsupportedFormat = errors.New("image format not accepted")
	ErrTruncated         = errors.New("file ends inside the image header")
	ErrMalformed         = errors.New("malformed image header")
	ErrNoPixels          = errors.New("image declares no pixels")
	ErrTooLarge          = errors.New("image too large")
	// ErrNeedMore is returned by Parse only: the header goes on past the
	// bytes given (the file is longer). Read more, or use CheckFile.
	ErrNeedMore = errors.New("header continues past the bytes given")
)

// Error is a refused file: Err is one of the Err* values above, the message
// names the file (Path, when known), the format and what is wrong.
type Error struct {
	Path          string
	Format        Format
	Width, Height int // declared size, when it was read
	Err           error
	msg           string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.msg
	}
	return e.Path + ": " + e.msg
}

func (e *Error) Unwrap() error { return e.Err }

func refuse(kind error, f Format, format string, args ...any) *Error {
	return &Error{Format: f, Err: kind, msg: fmt.Sprintf(format, args...)}
}

// withPath names the file in a refusal made without its name.
func withPath(err error, path string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) && e.Path == "" && error(e) == err {
		c := *e
		c.Path = path
		return &c
	}
	return fmt.Errorf("%s: %w", path, err)
}

// Parse identifies the format of a file from its first bytes and reads the
// declared dimensions from the header. head is the start of the file and size
// the whole file's size (taken as len(head) when smaller). A header that
// continues past head in a longer file gives ErrNeedMore; one that continues
// past size gives ErrTruncated. Parse does not apply limits: see Check.
// Dimensions are only ever reported with a recognised Format.
func Parse(head []byte, size int64) (Info, error) {
	if size < int64(len(head)) {
		size = int64(len(head))
	}
	return parse(&bytesSource{b: head, n: size})
}

// Check refuses what OpenCV must not be given: an unknown or unaccepted
// format, a file too small for its declared header, zero width or height, or
// dimensions (or TIFF tiles) above the limits. The error is an *Error.
func Check(info Info, lim Limits) error {
	lim = lim.withDefaults()
	f := info.Format
	switch {
	case f == Unknown:
		return refuse(ErrUnknownFormat, f, "not an image format OpenCV decodes here; refusing to decode it")
	case f == GIF:
		return refuse(ErrUnsupportedFormat, f, "GIF image (%d×%d); OpenCV 4.6 cannot decode GIF, convert it to PNG", info.Width, info.Height)
	case !f.Decodable():
		return refuse(ErrUnsupportedFormat, f, "%s image; posturewatch reads only JPEG, PNG, BMP, WebP, TIFF and PNM (pbm/pgm/ppm), convert it to PNG or JPEG", f)
	case info.Size < info.HeaderSize:
		return refuse(ErrTruncated, f, "%s header needs %d bytes but the file has %d; refusing to decode it", f, info.HeaderSize, info.Size)
	}
	e := refuse(ErrTooLarge, f, "")
	e.Width, e.Height = info.Width, info.Height
	w, h := int64(info.Width), int64(info.Height)
	switch {
	case w <= 0 || h <= 0:
		e.Err, e.msg = ErrNoPixels, fmt.Sprintf("%s declares %d×%d pixels, an image with no pixels", f, w, h)
	case w > lim.MaxPixels/h: // w×h > MaxPixels, without overflow
		e.msg = fmt.Sprintf("%s declares %d×%d pixels, more than the %s limit; refusing to decode it", f, w, h, megapixels(lim.MaxPixels))
	case w > int64(lim.MaxSide):
		e.msg = fmt.Sprintf("%s declares %d×%d pixels, wider than the %d-pixel limit; refusing to decode it", f, w, h, lim.MaxSide)
	case h > int64(lim.MaxSide):
		e.msg = fmt.Sprintf("%s declares %d×%d pixels, taller than the %d-pixel limit; refusing to decode it", f, w, h, lim.MaxSide)
	case info.TileWidth < 0 || info.TileHeight < 0 ||
		int64(info.TileWidth)*int64(info.TileHeight) > lim.MaxPixels ||
		info.TileWidth > lim.MaxSide || info.TileHeight > lim.MaxSide:
		e.msg = fmt.Sprintf("%s declares %d×%d pixels in tiles of %d×%d, larger than the %d-pixel side and %s limits; refusing to decode it",
			f, w, h, info.TileWidth, info.TileHeight, lim.MaxSide, megapixels(lim.MaxPixels))
	default:
		return nil
	}
	return e
}

func megapixels(n int64) string {
	if n%1_000_000 == 0 {
		return fmt.Sprintf("%d-megapixel", n/1_000_000)
	}
	return fmt.Sprintf("%.1f-megapixel", float64(n)/1e6)
}

// CheckBytes parses and checks a whole file held in data with the default
// limits; name is used in the error. Use it on the very bytes given to
// OpenCV.
func CheckBytes(name string, data []byte) (Info, error) {
	info, err := Parse(data, int64(len(data)))
	if err == nil {
		err = Check(info, Limits{})
	}
	return info, withPath(err, name)
}

// CheckFile reads the header of the file at path (usually a few KB; a JPEG's
// metadata segments are skipped by their lengths, up to MaxJPEGScan) and
// checks it with the default limits.
func CheckFile(path string) (Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return Info{}, ioError(path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Info{}, ioError(path, err)
	}
	if !st.Mode().IsRegular() {
		return Info{}, &Error{Path: path, Err: ErrUnknownFormat, msg: "not a regular file"}
	}
	info, err := Read(f, st.Size())
	if err == nil {
		err = Check(info, Limits{})
	}
	return info, withPath(err, path)
}

func ioError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("%s: reading the image header: %w", path, err)
}

// Read is Parse for a file of the given size open for random access: it
// reads only the header (JPEG segments are skipped by seeking), in a few
// small reads. I/O errors are returned wrapped.
func Read(r io.ReaderAt, size int64) (Info, error) {
	return parse(&readerSource{r: r, n: size})
}

// clampInt converts a declared dimension to int, saturating (on 32-bit
// platforms) so that it still fails Check.
func clampInt(v int64) int {
	if v > int64(math.MaxInt) {
		return math.MaxInt
	}
	return int(v)
}

// quoteStart shows the first bytes of an unknown file, printable ASCII as
// itself and other bytes as \xNN.
func quoteStart(b []byte) string {
	var s strings.Builder
	s.WriteByte('"')
	for _, c := range b[:min(len(b), 8)] {
		switch {
		case c == '"' || c == '\\':
			fmt.Fprintf(&s, "\\%c", c)
		case c >= 0x20 && c < 0x7F:
			s.WriteByte(c)
		default:
			fmt.Fprintf(&s, "\\x%02x", c)
		}
	}
	s.WriteByte('"')
	return s.String()
}
