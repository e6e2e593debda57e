package payload

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// isGzip reports gzip's magic bytes. Text never starts with them.
func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// isZlib reports a valid zlib header: deflate with a window of at most
// 32 KiB and the header checksum. Text can pass this test ("x^" does), so
// a record that looks like zlib but does not inflate is kept as it is, as
// StreamAlert keeps it.
func isZlib(b []byte) bool {
	return len(b) >= 2 && b[0]&0x0f == 8 && b[0]>>4 <= 7 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0
}

// errTooLarge is wrapped when decompressed data passes its bound.
var errTooLarge = errors.New("exceeds the size limit")

// decompressRecord inflates a whole record when it is gzip or zlib,
// StreamAlert's zlib.decompress(data, 47). A gzip record that does not
// inflate is an error (it cannot be anything else); one that only looks
// like zlib is returned unchanged when it is valid UTF-8, so text that
// happens to start like a zlib header still classifies.
func decompressRecord(data []byte, max int) ([]byte, error) {
	switch {
	case isGzip(data):
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		out, err := readAllMax(zr, max)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return out, nil
	case isZlib(data):
		zr, err := zlib.NewReader(bytes.NewReader(data))
		if err == nil {
			var out []byte
			if out, err = readAllMax(zr, max); err == nil {
				return out, nil
			}
		}
		if errors.Is(err, errTooLarge) || !utf8.Valid(data) {
			return nil, fmt.Errorf("zlib: %w", err)
		}
	}
	return data, nil
}

// readAllMax reads r to the end, failing once it passes max bytes.
func readAllMax(r io.Reader, max int) ([]byte, error) {
	out, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if err != nil {
		return nil, describeStreamErr(err)
	}
	if len(out) > max {
		return nil, fmt.Errorf("decompressed data %w of %d bytes", errTooLarge, max)
	}
	return out, nil
}

// describeStreamErr names the usual ways compressed data is broken.
func describeStreamErr(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated data: %w", err)
	}
	return err
}

// openStream returns r, or a reader of its decompressed content when it
// starts with gzip's magic bytes, bounded by max bytes.
func openStream(r io.Reader, max int64) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(2)
	if !isGzip(head) {
		return br, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", describeStreamErr(err))
	}
	return &boundedReader{r: zr, left: max, max: max, what: "decompressed data"}, nil
}

// boundedReader fails once more than max bytes came through it.
type boundedReader struct {
	r         io.Reader
	left, max int64
	what      string // named in the error
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, fmt.Errorf("%s %w of %d bytes", b.what, errTooLarge, b.max)
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, fmt.Errorf("%s %w of %d bytes", b.what, errTooLarge, b.max)
	}
	if err != nil && err != io.EOF {
		err = describeStreamErr(err)
		if b.what == "decompressed data" {
			err = fmt.Errorf("gzip: %w", err)
		}
	}
	return n, err
}
