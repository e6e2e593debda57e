package main

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// fingerprintBytes is how much of a file's start its fingerprint hashes.
const fingerprintBytes = 1024

// track checks that rec still describes the open file: same identity, not
// smaller, same first bytes. When not, the file was truncated or replaced
// and rec restarts from the beginning. Then rec takes the file's current
// size, time and fingerprint, so every batch's state says how far into
// this version of the file it got.
func (g *gatherer) track(f *os.File, path string, rec *fileState) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	id, size := idOf(fi), fi.Size()
	head := make([]byte, min(size, fingerprintBytes))
	if _, err := f.ReadAt(head, 0); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	same := rec.id() == id && size >= rec.Size && rec.FPLen <= int64(len(head)) &&
		hashHex(head[:rec.FPLen]) == rec.FP
	if !same {
		if rec.Offset > 0 || rec.Line > 0 {
			g.log.Info("file was truncated or replaced; reading it from the start",
				"file", path, "lines_read_before", rec.Line)
		}
		*rec = fileState{}
	}
	rec.Dev, rec.Ino, rec.Size, rec.MTime = id.dev, id.ino, size, fi.ModTime().UnixNano()
	rec.FP, rec.FPLen, rec.Done = hashHex(head), int64(len(head)), false
	return nil
}

// hashHex returns the hex SHA-256 of b; the empty prefix hashes to "" so a
// record without a fingerprint matches it.
func hashHex(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// source returns the file's content from rec.Offset up to rec.Size, the
// size it had when opened, decompressed for .gz files (whose offsets count
// uncompressed bytes). Stopping at that size leaves a line being written
// right now to the next poll.
func source(f *os.File, gz bool, rec *fileState) (io.Reader, error) {
	if !gz {
		return io.NewSectionReader(f, rec.Offset, rec.Size-rec.Offset), nil
	}
	zr, err := gzip.NewReader(io.NewSectionReader(f, 0, rec.Size))
	if err != nil {
		return nil, fmt.Errorf("gzip %s: %w", f.Name(), err)
	}
	if _, err := io.CopyN(io.Discard, zr, rec.Offset); err != nil {
		return nil, fmt.Errorf("gzip %s: skip to offset %d: %w", f.Name(), rec.Offset, err)
	}
	return zr, nil
}
