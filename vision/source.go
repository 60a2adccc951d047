package vision

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gocv.io/x/gocv"
)

// Frame is one picture from a source. The receiver owns Mat and must Close it
// (Frame.Close).
type Frame struct {
	Mat    gocv.Mat      // BGR, 8UC3
	Time   time.Time     // wall time it was captured (for files: source start time + Offset)
	Offset time.Duration // position on the source's own timeline (video time; 0 for still images; since open for a camera)
	Index  int           // frame number within the source as delivered (0,1,2…); per file for directories and path lists
	Source string        // file path, or "camera:0" / "camera:/dev/video2"
}

// Close releases the frame's Mat. It is safe to call more than once.
func (f *Frame) Close() error {
	return f.Mat.Close() // gocv's Close nils the pointer; closing again is a no-op
}

// Source delivers frames; Next returns io.EOF at the end. A per-item problem
// in a multi-file source (a broken image inside a directory) is returned as
// *ItemError and the source goes on with the next item on the following call.
// A Source is not safe for concurrent use.
type Source interface {
	Next() (Frame, error)
	Close() error
	Name() string
}

// Settler is a Source that can drop its first frames cheaply: a camera
// reads them as it sends them, without decoding or pacing, while its
// exposure adjusts after opening.
type Settler interface {
	Settle(n int) error
}

// Skipper is a Source with a timeline that can skip ahead without decoding
// what it passes over: a video file sampled less often than its frame rate.
type Skipper interface {
	// SkipTo makes the next frame the first at or after offset (on the
	// timeline of Frame.Offset); an offset already passed changes nothing.
	SkipTo(offset time.Duration)
}

// ItemError reports one unusable item (file) of a multi-file source; the
// source itself can go on.
type ItemError struct {
	Path string
	Err  error
}

func (e *ItemError) Error() string {
	msg := e.Err.Error()
	if strings.Contains(msg, e.Path) {
		return msg // the cause names the file already
	}
	return e.Path + ": " + msg
}
func (e *ItemError) Unwrap() error { return e.Err }

// SourceOptions tune how sources deliver frames.
type SourceOptions struct {
	FPS           float64   // sampling rate for videos and cameras; default 2 when 0
	Loop          bool      // restart a video at its end (for `run --source FILE --loop`)
	Start         time.Time // base for Frame.Time of file sources (default time.Now() at open)
	Width, Height int       // requested camera resolution (default 640×480)
}

// DefaultFPS is the sampling rate used when SourceOptions.FPS is 0.
const DefaultFPS = 2.0

// MinImageSide is the smallest width or height accepted for a frame.
const MinImageSide = 32

func (o SourceOptions) withDefaults() SourceOptions {
	if o.FPS <= 0 {
		o.FPS = DefaultFPS
	}
	if o.Start.IsZero() {
		o.Start = time.Now()
	}
	if o.Width <= 0 {
		o.Width = 640
	}
	if o.Height <= 0 {
		o.Height = 480
	}
	return o
}

var (
	imageExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".bmp": true,
		".webp": true, ".tif": true, ".tiff": true, ".ppm": true, ".pgm": true, ".pnm": true}
	videoExts = map[string]bool{".mp4": true, ".avi": true, ".mkv": true, ".mov": true,
		".webm": true, ".m4v": true, ".mpg": true, ".mpeg": true, ".wmv": true, ".flv": true}
)

// IsImagePath reports whether p has a still-image extension.
func IsImagePath(p string) bool { return imageExts[strings.ToLower(filepath.Ext(p))] }

// IsVideoPath reports whether p has a video extension.
func IsVideoPath(p string) bool { return videoExts[strings.ToLower(filepath.Ext(p))] }

// checkFile makes sure path is an existing, non-empty, readable regular file
// before OpenCV sees it (OpenCV's own messages are poor).
func checkFile(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: no such file", path)
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file", path)
	}
	if st.Size() == 0 {
		return fmt.Errorf("%s: file is empty", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%s: cannot read: %w", path, err)
	}
	f.Close()
	return nil
}

// OpenPath opens an image, a video, or a directory (walked recursively in
// sorted order; images and videos chosen by extension; unreadable entries are
// reported as *ItemError by Next, not an abort).
func OpenPath(path string, opt SourceOptions) (Source, error) {
	opt = opt.withDefaults()
	dir, err := statMedia(path)
	switch {
	case err != nil:
		return nil, fmt.Errorf("open %s: %w", path, err)
	case dir:
		return openDir(path, opt)
	case IsImagePath(path):
		return openImage(path, opt)
	default:
		return openVideo(path, opt)
	}
}

// statMedia says whether path is a directory, or else an image or a video
// (by its extension); its error, without the path, says why it is neither.
func statMedia(path string) (dir bool, err error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, errors.New("no such file or directory")
	case err != nil:
		return false, err
	case st.IsDir():
		return true, nil
	case !IsImagePath(path) && !IsVideoPath(path):
		return false, fmt.Errorf("unknown file type %q (images: .jpg .png …, videos: .mp4 .avi …)", filepath.Ext(path))
	}
	return false, nil
}

// OpenPaths concatenates several paths (files or directories). A path that
// cannot be opened is reported by Next as *ItemError and the source goes on.
func OpenPaths(paths []string, opt SourceOptions) (Source, error) {
	if len(paths) == 0 {
		return nil, errors.New("open: no paths given")
	}
	opt = opt.withDefaults()
	items := make([]item, 0, len(paths))
	for _, p := range paths {
		items = append(items, item{path: p, open: func() (Source, error) { return OpenPath(p, opt) }})
	}
	return &multiSource{name: strings.Join(paths, ","), items: items}, nil
}

// item is one entry of a multiSource: either a path to open lazily or an
// error found while listing.
type item struct {
	path string
	open func() (Source, error)
	err  error
}

// multiSource plays its items one after the other.
type multiSource struct {
	name  string
	items []item
	pos   int
	cur   Source
}

func (m *multiSource) Name() string { return m.name }

func (m *multiSource) Next() (Frame, error) {
	for {
		if m.cur == nil {
			if m.pos >= len(m.items) {
				return Frame{}, io.EOF
			}
			it := m.items[m.pos]
			m.pos++
			if it.err != nil {
				return Frame{}, &ItemError{Path: it.path, Err: it.err}
			}
			src, err := it.open()
			if err != nil {
				return Frame{}, &ItemError{Path: it.path, Err: err}
			}
			m.cur = src
		}
		f, err := m.cur.Next()
		if err == nil {
			return f, nil
		}
		var ie *ItemError
		if errors.As(err, &ie) {
			return Frame{}, err
		}
		if cerr := m.cur.Close(); cerr != nil {
			slog.Warn("closing source", "source", m.cur.Name(), "err", cerr)
		}
		name := m.cur.Name()
		m.cur = nil
		if !errors.Is(err, io.EOF) {
			return Frame{}, &ItemError{Path: name, Err: err}
		}
	}
}

func (m *multiSource) Close() error {
	m.pos = len(m.items)
	if m.cur == nil {
		return nil
	}
	err := m.cur.Close()
	m.cur = nil
	return err
}

// openDir lists dir recursively (lexical order) and plays its images and
// videos; other files are skipped, unreadable entries become items that
// report an *ItemError.
func openDir(dir string, opt SourceOptions) (Source, error) {
	var items []item
	err := walkMedia(dir, func(p string, err error) {
		if err != nil {
			items = append(items, item{path: p, err: err})
			return
		}
		items = append(items, item{path: p, open: func() (Source, error) { return OpenPath(p, opt) }})
	})
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("open directory %s: no images or videos in it", dir)
	}
	return &multiSource{name: dir, items: items}, nil
}

// walkMedia calls fn, in lexical order, with every image and video beneath
// dir, or with the error of an entry that cannot be read (the walk goes on).
// Its own error is for dir itself.
func walkMedia(dir string, fn func(path string, err error)) error {
	// With a trailing separator the root is followed when it is a symlink
	// to a directory (WalkDir itself never follows links, so a linked
	// folder given as PATH listed nothing); links inside are not followed,
	// so a link loop cannot make the walk endless.
	root := dir
	if !strings.HasSuffix(root, string(filepath.Separator)) {
		root += string(filepath.Separator)
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			fn(p, fmt.Errorf("cannot read: %w", err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !IsImagePath(p) && !IsVideoPath(p) {
			return nil
		}
		fn(p, nil)
		return nil
	})
	if err != nil {
		return fmt.Errorf("open directory %s: %w", dir, err)
	}
	return nil
}

// ListMedia lists the images and videos the paths name, as OpenPaths would
// play them: directories walked recursively in lexical order, files as
// given. A path or entry that cannot be read is an *ItemError in unreadable
// instead; a file of another kind is one too.
func ListMedia(paths []string) (files []string, unreadable []*ItemError) {
	for _, p := range paths {
		dir, err := statMedia(p)
		switch {
		case err != nil:
			unreadable = append(unreadable, &ItemError{Path: p, Err: err})
		case dir:
			if werr := walkMedia(p, func(f string, err error) {
				if err != nil {
					unreadable = append(unreadable, &ItemError{Path: f, Err: err})
					return
				}
				files = append(files, f)
			}); werr != nil {
				unreadable = append(unreadable, &ItemError{Path: p, Err: werr})
			}
		default:
			files = append(files, p)
		}
	}
	return files, unreadable
}

// toBGR makes m an 8-bit, 3-channel BGR image in place (grayscale and BGRA
// are converted, 16-bit and float depths scaled down).
func toBGR(m *gocv.Mat) error {
	if m.Empty() {
		return errors.New("empty image")
	}
	switch m.Type() {
	case gocv.MatTypeCV8UC3:
		return nil
	case gocv.MatTypeCV16UC1, gocv.MatTypeCV16UC3, gocv.MatTypeCV16UC4:
		tmp := gocv.NewMat()
		m.ConvertToWithParams(&tmp, gocv.MatType(gocv.MatTypeCV8U+gocv.MatType((m.Channels()-1)<<3)), 1.0/256, 0)
		m.Close()
		*m = tmp
	case gocv.MatTypeCV32FC1, gocv.MatTypeCV32FC3, gocv.MatTypeCV32FC4:
		tmp := gocv.NewMat()
		m.ConvertToWithParams(&tmp, gocv.MatType(gocv.MatTypeCV8U+gocv.MatType((m.Channels()-1)<<3)), 255, 0)
		m.Close()
		*m = tmp
	}
	var code gocv.ColorConversionCode
	switch m.Type() {
	case gocv.MatTypeCV8UC3:
		return nil
	case gocv.MatTypeCV8UC1:
		code = gocv.ColorGrayToBGR
	case gocv.MatTypeCV8UC4:
		code = gocv.ColorBGRAToBGR
	default:
		return fmt.Errorf("unsupported pixel format (Mat type %v, %d channels)", m.Type(), m.Channels())
	}
	tmp := gocv.NewMat()
	gocv.CvtColor(*m, &tmp, code)
	m.Close()
	*m = tmp
	return nil
}

// checkSize rejects images too small to hold a person.
func checkSize(m gocv.Mat) error {
	if m.Cols() < MinImageSide || m.Rows() < MinImageSide {
		return fmt.Errorf("image is %d×%d pixels, too small (need at least %d a side)", m.Cols(), m.Rows(), MinImageSide)
	}
	return nil
}
