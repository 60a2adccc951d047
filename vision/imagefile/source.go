package imagefile

import (
	"errors"
	"io"
)

// source gives the parsers random access to the start of a file.
type source interface {
	size() int64
	// at returns exactly n bytes at off: errPastEnd when the file ends
	// first, ErrNeedMore when the file goes on but the bytes were not given.
	// The slice must not be kept across calls.
	at(off int64, n int) ([]byte, error)
	// prefix returns up to n bytes from the start: fewer when the file, or
	// the bytes given, are shorter.
	prefix(n int) ([]byte, error)
}

var errPastEnd = errors.New("past the end of the file")

func pastEnd(s source, off int64, n int) bool {
	return off < 0 || n < 0 || off > s.size()-int64(n)
}

// bytesSource is the first bytes of a file of size n.
type bytesSource struct {
	b []byte
	n int64
}

func (s *bytesSource) size() int64 { return s.n }

func (s *bytesSource) at(off int64, n int) ([]byte, error) {
	if pastEnd(s, off, n) {
		return nil, errPastEnd
	}
	if off+int64(n) > int64(len(s.b)) {
		return nil, ErrNeedMore
	}
	return s.b[off : off+int64(n)], nil
}

func (s *bytesSource) prefix(n int) ([]byte, error) { return s.b[:min(n, len(s.b))], nil }

// readerSource reads a file through io.ReaderAt in windows of readWindow
// bytes, so that walking a JPEG's small segments costs one read and skipping
// a large one costs one more.
type readerSource struct {
	r   io.ReaderAt
	n   int64
	buf []byte
	off int64 // file offset of buf[0]
}

const readWindow = 4096

func (s *readerSource) size() int64 { return s.n }

func (s *readerSource) at(off int64, n int) ([]byte, error) {
	if pastEnd(s, off, n) {
		return nil, errPastEnd
	}
	if off >= s.off && off+int64(n) <= s.off+int64(len(s.buf)) {
		return s.buf[off-s.off : off-s.off+int64(n)], nil
	}
	m := int64(max(n, readWindow))
	m = min(m, s.n-off)
	buf := make([]byte, m) // fresh: earlier slices stay valid
	k, err := s.r.ReadAt(buf, off)
	if k < n {
		if err == nil || errors.Is(err, io.EOF) {
			return nil, errPastEnd // the file shrank under us
		}
		return nil, err
	}
	s.buf, s.off = buf[:k], off
	return s.buf[:n], nil
}

func (s *readerSource) prefix(n int) ([]byte, error) {
	return s.at(0, int(min(int64(n), s.n)))
}
