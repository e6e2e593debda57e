package rules

import (
	"errors"
	"strings"
)

// The string helpers take any value as text and answer false when it is
// not a string, as StreamAlert's do; a pattern that is not a string is an
// error, as in Python.

func anyString(text any, patterns []string, match func(text, pattern string) bool) bool {
	s, ok := text.(string)
	if !ok {
		return false
	}
	for _, p := range patterns {
		if match(s, p) {
			return true
		}
	}
	return false
}

// pathMatch is pathlib.PurePosixPath(text).match(pattern): the pattern's
// parts are matched with fnmatch against the path's last parts, '*' never
// crossing a '/'; an absolute pattern must match the whole path.
func pathMatch(text, pattern string) (bool, error) {
	if pattern == "" {
		return false, errors.New("path_matches_any: empty pattern")
	}
	parts, pat := pathParts(text), pathParts(pattern)
	if strings.HasPrefix(pattern, "/") {
		if len(parts) != len(pat) {
			return false, nil
		}
	} else if len(pat) > len(parts) {
		return false, nil
	}
	for i := 1; i <= len(pat); i++ {
		if !glob(pat[len(pat)-i], parts[len(parts)-i]) {
			return false, nil
		}
	}
	return true, nil
}

// pathParts splits a path as PurePosixPath does: the root ("/", or "//"
// for exactly two leading slashes) is a part of its own, empty and "."
// components are dropped.
func pathParts(p string) []string {
	var parts []string
	switch {
	case strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "///"):
		parts = append(parts, "//")
	case strings.HasPrefix(p, "/"):
		parts = append(parts, "/")
	}
	for c := range strings.SplitSeq(p, "/") {
		if c != "" && c != "." {
			parts = append(parts, c)
		}
	}
	return parts
}
