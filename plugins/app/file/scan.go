package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// fileID identifies a file independently of its name.
type fileID struct{ dev, ino uint64 }

// candidate is a file to read in this poll, as listed.
type candidate struct {
	path  string
	size  int64
	mtime int64
	id    fileID
}

// gzipped reports whether the file is read through gzip.
func (c candidate) gzipped() bool { return strings.EqualFold(filepath.Ext(c.path), ".gz") }

// listFiles returns root when it is a file, else root's regular files whose
// names match pattern, sorted by name. Symbolic links are followed.
func listFiles(root, pattern string) ([]candidate, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("file: %w", err)
	}
	if !fi.IsDir() {
		return []candidate{newCandidate(root, fi)}, nil
	}
	entries, err := os.ReadDir(root) // sorted by name
	if err != nil {
		return nil, fmt.Errorf("file: %w", err)
	}
	var out []candidate
	for _, e := range entries {
		if ok, _ := filepath.Match(pattern, e.Name()); !ok {
			continue
		}
		path := filepath.Join(root, e.Name())
		fi, err := os.Stat(path)
		if err != nil || !fi.Mode().IsRegular() {
			continue // vanished since listed, a directory, a socket...
		}
		out = append(out, newCandidate(path, fi))
	}
	return out, nil
}

func newCandidate(path string, fi os.FileInfo) candidate {
	return candidate{path: path, size: fi.Size(), mtime: fi.ModTime().UnixNano(), id: idOf(fi)}
}

// carryOver matches the listed files with the previous poll's records: by
// path when the identity is unchanged, else by identity, so a file renamed
// by log rotation (app.log to app.log.1) keeps its progress under its new
// name. Unmatched files start empty; records of vanished files are dropped.
func carryOver(old map[string]*fileState, files []candidate) map[string]*fileState {
	next := make(map[string]*fileState, len(files))
	claimed := map[*fileState]bool{}
	for _, f := range files {
		if r := old[f.path]; r != nil && r.id() == f.id {
			next[f.path], claimed[r] = r, true
		}
	}
	byID := map[fileID]*fileState{}
	for _, r := range old {
		if !claimed[r] && r.id() != (fileID{}) {
			byID[r.id()] = r
		}
	}
	for _, f := range files {
		if next[f.path] != nil {
			continue
		}
		if r := byID[f.id]; r != nil && !claimed[r] {
			next[f.path], claimed[r] = r, true
			continue
		}
		next[f.path] = &fileState{}
	}
	return next
}
