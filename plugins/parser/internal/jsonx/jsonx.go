// Package jsonx reads JSON in place. A document is checked once (UTF-8,
// nesting depth, syntax); after that the parsers walk it by byte offsets and
// hand out sub-slices of the input as candidate records, instead of decoding
// into maps and encoding again. That keeps every number exactly as written
// (account ids, nanosecond timestamps), keeps key order, and costs about one
// copy of the input however large a record is.
//
// The functions that walk a document (Members, Elements, Get, KindOf,
// Unquote, Truthy) expect input that Check accepted; on anything else their
// results are unspecified, but they never panic.
package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of objects and arrays a record may have.
// Python's json module, which StreamAlert uses, fails near 1,000 levels with
// a RecursionError that takes the whole invocation down; 512 leaves room for
// any real log while bounding the work a hostile record can cause.
const MaxDepth = 512

// ErrEmpty is returned by Check for a record that is empty or only
// whitespace.
var ErrEmpty = errors.New("empty record")

// Check reports whether b holds exactly one JSON value, encoded as valid
// UTF-8 and nested at most MaxDepth deep, and returns that value with
// surrounding whitespace and a leading UTF-8 byte order mark removed (Python
// accepts the mark when it decodes bytes). Errors name the byte offset or
// line and column of the problem and never quote more than one byte of b.
func Check(b []byte) ([]byte, error) {
	if err := ValidUTF8(b); err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(b, bom)
	v := Trim(b)
	if len(v) == 0 {
		return nil, ErrEmpty
	}
	switch validate(v) {
	case scanDeep:
		return nil, fmt.Errorf("JSON nested deeper than %d levels", MaxDepth)
	case scanSyntax:
		return nil, syntaxError(b)
	}
	return v, nil
}

var bom = []byte("\xef\xbb\xbf")

// ValidUTF8 returns an error naming the offset of the first invalid UTF-8
// sequence in b, if any. Go's decoders would quietly turn such bytes into
// U+FFFD; Python's refuse them, and so do the parsers.
func ValidUTF8(b []byte) error {
	if utf8.Valid(b) {
		return nil
	}
	return fmt.Errorf("invalid UTF-8 at byte %d", invalidUTF8At(b))
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// syntaxError describes why b is not valid JSON, by line and column. It runs
// only on the failure path, where the standard decoder is asked for the
// offset it stopped at.
func syntaxError(b []byte) error {
	var raw json.RawMessage
	err := json.Unmarshal(b, &raw)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return errors.New("invalid JSON")
	}
	// The decoder's offset counts the offending byte as read.
	line, col := Position(b, int(se.Offset)-1)
	return fmt.Errorf("invalid JSON: line %d column %d: %s", line, col, se.Error())
}

// Position converts a byte offset in b into a 1-based line and column, the
// column counted in bytes.
func Position(b []byte, offset int) (line, col int) {
	offset = min(max(offset, 0), len(b))
	before := b[:offset]
	line = 1 + bytes.Count(before, []byte{'\n'})
	col = offset - bytes.LastIndexByte(before, '\n')
	return line, col
}

// Trim removes JSON whitespace from both ends of b.
func Trim(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
