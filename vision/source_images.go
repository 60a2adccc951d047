package vision

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"gocv.io/x/gocv"

	"posturewatch/vision/imagefile"
)

// imageSource delivers one still image once.
type imageSource struct {
	path  string
	opt   SourceOptions
	done  bool
	ready gocv.Mat // decoded at open so that a broken file fails OpenPath
}

// openImage decodes path at once so that a broken file is reported by
// OpenPath with its name, not later.
func openImage(path string, opt SourceOptions) (Source, error) {
	m, err := loadImage(path)
	if err != nil {
		return nil, err
	}
	return &imageSource{path: path, opt: opt, ready: m}, nil
}

func loadImage(path string) (gocv.Mat, error) {
	if err := checkFile(path); err != nil {
		return gocv.Mat{}, fmt.Errorf("image %w", err)
	}
	buf, err := os.ReadFile(path)
	if err != nil {
		return gocv.Mat{}, fmt.Errorf("image %s: %w", path, err)
	}
	// OpenCV aborts the process (an uncaught C++ exception) on a header
	// beyond its own size limits and allocates whatever a header below them
	// declares: check the format and size on the very bytes it will get.
	if _, err := imagefile.CheckBytes(path, buf); err != nil {
		return gocv.Mat{}, fmt.Errorf("image %w", err)
	}
	if err := checkJPEGComplete(buf); err != nil {
		return gocv.Mat{}, fmt.Errorf("image %s: %w", path, err)
	}
	m, err := gocv.IMDecode(buf, gocv.IMReadColor)
	if err != nil || m.Empty() {
		m.Close()
		return gocv.Mat{}, fmt.Errorf("image %s: cannot decode it (not an image, or corrupt)", path)
	}
	if err := toBGR(&m); err != nil {
		m.Close()
		return gocv.Mat{}, fmt.Errorf("image %s: %w", path, err)
	}
	if err := checkSize(m); err != nil {
		m.Close()
		return gocv.Mat{}, fmt.Errorf("image %s: %w", path, err)
	}
	return m, nil
}

func (s *imageSource) Name() string { return s.path }

func (s *imageSource) Next() (Frame, error) {
	if s.done {
		return Frame{}, io.EOF
	}
	s.done = true
	m := s.ready
	s.ready = gocv.Mat{}
	return Frame{Mat: m, Time: s.opt.Start, Source: s.path}, nil
}

func (s *imageSource) Close() error {
	s.done = true
	return s.ready.Close()
}

// checkJPEGComplete rejects JPEG data without an end-of-image marker near
// its end: libjpeg would decode such a file with its lower part grey and
// only a warning on stderr.
func checkJPEGComplete(buf []byte) error {
	if len(buf) < 4 || buf[0] != 0xFF || buf[1] != 0xD8 {
		return nil // not a JPEG
	}
	tail := buf[max(2, len(buf)-4096):]
	if !bytes.Contains(tail, []byte{0xFF, 0xD9}) {
		return errors.New("truncated JPEG (no end-of-image marker)")
	}
	return nil
}
