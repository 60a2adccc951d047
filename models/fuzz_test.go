package models

import (
	"bytes"
	"os"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// CheckONNX reads the top level of files the user names (--model, the
// environment): whatever the bytes, it must return; what it accepts must be
// protobuf fields end to end, one of them a graph (field 7, bytes), as the
// protobuf module's own wire reader sees them (a key may be a varint longer
// than it needs, as protobuf allows); and one more byte that starts a field
// and ends the file is refused.
func FuzzCheckONNX(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x3a, 0x00})                   // an empty graph
	f.Add([]byte{0x08, 0x06, 0x3a, 0x02, 1, 2}) // ir_version 6, a graph of 2 bytes
	f.Add([]byte{0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f})
	if data, err := os.ReadFile(FaceMesh.FileName); err == nil {
		f.Add(data[:4096])
		f.Add(data[len(data)-4096:])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if CheckONNX(data) != nil {
			return
		}
		graph := false
		for rest := data; len(rest) > 0; {
			num, typ, n := protowire.ConsumeField(rest)
			if n < 0 {
				t.Fatalf("accepted, but the wire reader fails at byte %d (%v): %x", len(data)-len(rest), protowire.ParseError(n), data)
			}
			graph = graph || (num == 7 && typ == protowire.BytesType)
			rest = rest[n:]
		}
		if !graph {
			t.Fatalf("accepted without a graph field: %x", data)
		}
		if CheckONNX(append(bytes.Clone(data), 0xff)) == nil {
			t.Fatalf("accepted with a dangling field key after it: %x", data)
		}
	})
}

// checkELF judges a library the user names (POSTUREWATCH_ONNXRUNTIME): it
// must return on any bytes and accept only a 64-bit little-endian shared
// object's header.
func FuzzCheckELF(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x3e\x00"))
	f.Add([]byte("\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00"))
	f.Add([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00"))
	if data, err := os.ReadFile(RuntimeFileName); err == nil {
		f.Add(data[:64])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if checkELF(data) != nil {
			return
		}
		if len(data) < 18 || string(data[:4]) != "\x7fELF" || data[4] != 2 || data[5] != 1 || data[16] != 3 {
			t.Fatalf("accepted a header that is not a 64-bit little-endian shared object: %x", data[:min(len(data), 18)])
		}
	})
}
