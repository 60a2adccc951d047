package imagefile

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParse: Parse never panics, reports dimensions only with a recognised
// format and only from bytes it was given, agrees with Read (the file path),
// and a prefix of a file either gives the same answer or asks for more.
func FuzzParse(f *testing.F) {
	for _, s := range samples(f) {
		if len(s.data) <= 4096 { // large seeds make minimising slow
			f.Add(s.data)
		}
	}
	f.Add(craftedPNG(60000, 60000))
	f.Add(bmpInfo(100, -1<<31, 40, 0))
	f.Add(webpVP8X(60000, 60000))
	f.Add([]byte("P6 60000 60000 255\n"))
	f.Add([]byte("not an image\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		n := int64(len(data))
		info, err := Parse(data, n)
		if info.Format == Unknown && (info.Width != 0 || info.Height != 0 || info.TileWidth != 0 || info.TileHeight != 0) {
			t.Fatalf("dimensions %d×%d without a format", info.Width, info.Height)
		}
		if err != nil {
			if info.Width != 0 || info.Height != 0 {
				t.Fatalf("dimensions %d×%d with the error %v", info.Width, info.Height, err)
			}
			var e *Error
			if !errors.As(err, &e) || e.Err == nil || e.Error() == "" {
				t.Fatalf("error %v (%T) is not an *Error with a reason", err, err)
			}
			if errors.Is(err, ErrNeedMore) {
				t.Fatalf("ErrNeedMore for the whole file: %v", err)
			}
		} else {
			if info.Format == Unknown {
				t.Fatal("no error for an unknown format")
			}
			if info.HeaderSize > n || info.Size != n || info.Width < 0 || info.Height < 0 {
				t.Fatalf("info %+v for %d bytes", info, n)
			}
			if cerr := Check(info, Limits{}); cerr == nil &&
				(!info.Format.Decodable() || info.Width == 0 || info.Height == 0 ||
					info.Width > MaxSide || info.Height > MaxSide || int64(info.Width)*int64(info.Height) > MaxPixels) {
				t.Fatalf("Check accepted %+v", info)
			}
		}
		rinfo, rerr := Read(bytes.NewReader(data), n)
		if rinfo != info || !sameReason(err, rerr) {
			t.Fatalf("Read = %+v, %v; Parse = %+v, %v", rinfo, rerr, info, err)
		}
		// The first half of the file, as the start of the whole file.
		half := data[:len(data)/2]
		hinfo, herr := Parse(half, n)
		if !errors.Is(herr, ErrNeedMore) && (hinfo != info || !sameReason(err, herr)) {
			t.Fatalf("first %d bytes: %+v, %v; whole file: %+v, %v", len(half), hinfo, herr, info, err)
		}
	})
}

// sameReason reports whether a and b are both nil or wrap the same Err* value.
func sameReason(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	for _, r := range []error{ErrEmpty, ErrUnknownFormat, ErrTruncated, ErrMalformed, ErrNeedMore} {
		if errors.Is(a, r) != errors.Is(b, r) {
			return false
		}
	}
	return true
}
