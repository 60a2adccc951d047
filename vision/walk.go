package vision

import (
	"errors"
	"io"
)

// Walk opens the paths (images, videos sampled per opt, directories) and
// calls fn for every frame, or with the error of an item that could not be
// read (the walk goes on). The frame is closed after fn returns. Walk's own
// error is for the whole walk (nothing could be opened).
func Walk(paths []string, opt SourceOptions, fn func(f *Frame, err error)) error {
	src, err := OpenPaths(paths, opt)
	if err != nil {
		return err
	}
	defer src.Close()
	for {
		f, err := src.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var ie *ItemError
			if errors.As(err, &ie) {
				fn(nil, err)
				continue
			}
			return err
		}
		fn(&f, nil)
		f.Close()
	}
}
