package secrets

import (
	"fmt"
	"strings"
)

// The limits of a name. Names key both the embedded store (a file name) and
// SSM Parameter Store (a parameter path), so they obey the stricter of the
// two everywhere: a name valid here works in either store.
const (
	// maxNameLen keeps the file name ("+" for "/", ".age" appended) and
	// the temporary names beside it under the usual 255-byte limit.
	maxNameLen = 200
	// maxSegments is SSM's limit on the depth of a parameter hierarchy.
	maxSegments = 15
	// sep separates the segments of a name; fileSep replaces it in file
	// names. fileSep is not a name character, so the mapping reverses.
	sep, fileSep = "/", "+"
	fileExt      = ".age"
)

// ValidateName reports whether name can key a secret: one to 15 segments
// separated by "/", each of lowercase ASCII letters, digits, '_', '-' and
// '.', starting with a letter or digit, at most 200 bytes in all.
//
// The rules exclude by construction what would make a name unsafe as a
// path: "." and ".." segments, separators of any platform, NUL, absolute
// paths, hidden and temporary file names (a leading '.'). Lowercase only,
// because on case-insensitive file systems (macOS, Windows) "SOC" and
// "soc" would silently share a file while SSM keeps them apart.
func ValidateName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: the name is empty", ErrInvalidName)
	}
	if len(name) > maxNameLen {
		return fmt.Errorf("%w %.40q...: longer than %d bytes", ErrInvalidName, name, maxNameLen)
	}
	segs := strings.Split(name, sep)
	if len(segs) > maxSegments {
		return fmt.Errorf("%w %q: more than %d segments", ErrInvalidName, name, maxSegments)
	}
	for _, seg := range segs {
		if why := checkSegment(seg); why != "" {
			return fmt.Errorf("%w %q: %s", ErrInvalidName, name, why)
		}
	}
	return nil
}

// checkSegment returns why seg is not a valid segment, or "".
func checkSegment(seg string) string {
	if seg == "" {
		return "empty segment (a leading, trailing or doubled '/')"
	}
	if strings.ToLower(seg) != seg {
		return fmt.Sprintf("segment %q has uppercase letters; names are lowercase", seg)
	}
	if !isLowerAlnum(seg[0]) {
		return fmt.Sprintf("segment %q must start with a lowercase letter or digit", seg)
	}
	for i := 1; i < len(seg); i++ {
		if c := seg[i]; !isLowerAlnum(c) && c != '_' && c != '-' && c != '.' {
			return fmt.Sprintf("segment %q has %q; use lowercase letters, digits, '_', '-' and '.'", seg, c)
		}
	}
	return ""
}

func isLowerAlnum(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// fileName is the file a valid name is stored in, relative to the store.
func fileName(name string) string {
	return strings.ReplaceAll(name, sep, fileSep) + fileExt
}

// nameOf reverses fileName. It reports false for files that are not
// secrets: temporary files, stray files, anything that does not map back
// to a valid name.
func nameOf(file string) (string, bool) {
	base, ok := strings.CutSuffix(file, fileExt)
	if !ok {
		return "", false
	}
	name := strings.ReplaceAll(base, fileSep, sep)
	return name, ValidateName(name) == nil
}
