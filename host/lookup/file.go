package lookup

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/streamalert-go/sa/host/rules"
)

// maxTableBytes bounds a table's decompressed size, so a corrupt or
// hostile file cannot exhaust memory.
const maxTableBytes = 1 << 30

// File is a Loader reading a local JSON file, plain or gzip or zlib
// compressed (recognized by their magic bytes, as StreamAlert's s3 driver
// tries zlib and falls back to raw).
type File struct {
	Path string
}

// Load implements Loader.
func (f File) Load(ctx context.Context) (map[string]any, error) {
	data, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, fmt.Errorf("lookup: read %s: %w", f.Path, err)
	}
	return Decode(data)
}

// Decode decodes a table document: a JSON object, possibly gzip or zlib
// compressed. S3 and other whole-table drivers share it.
func Decode(data []byte) (map[string]any, error) {
	data, err := decompress(data)
	if err != nil {
		return nil, err
	}
	m, err := rules.DecodeObject(data)
	if err != nil {
		return nil, fmt.Errorf("lookup: table is not a JSON object: %w", err)
	}
	return m, nil
}

func decompress(data []byte) ([]byte, error) {
	var r io.Reader
	var err error
	switch {
	case len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b:
		r, err = gzip.NewReader(bytes.NewReader(data))
	case len(data) >= 2 && data[0] == 0x78 && (uint16(data[0])<<8|uint16(data[1]))%31 == 0:
		r, err = zlib.NewReader(bytes.NewReader(data))
	default:
		return data, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lookup: decompress: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(r, maxTableBytes+1))
	if err != nil {
		return nil, fmt.Errorf("lookup: decompress: %w", err)
	}
	if len(out) > maxTableBytes {
		return nil, fmt.Errorf("lookup: table larger than %d bytes", maxTableBytes)
	}
	return out, nil
}

// Static is a Loader over data already in memory: StreamAlert's
// ephemeral driver, and the test fixtures of rule tests.
type Static map[string]any

// Load implements Loader.
func (s Static) Load(context.Context) (map[string]any, error) { return s, nil }

var (
	_ Loader = File{}
	_ Loader = Static{}
)
