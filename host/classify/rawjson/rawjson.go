// Package rawjson works on JSON documents as bytes: it validates them
// strictly, splits objects and arrays into the raw bytes of their members,
// and decodes and encodes strings, without building a tree.
//
// The classifier handles millions of records whose values mostly pass
// through untouched (a CloudTrail event's requestParameters are copied, not
// inspected), so it keeps each value as the input's own bytes: numbers keep
// every digit and nothing is decoded that is not looked at. Input from
// parser plugins is untrusted, so the entry points that split a document
// also validate all of it: valid UTF-8, JSON's grammar (no NaN, no
// comments, no trailing commas), and a bound on nesting so a hostile record
// cannot exhaust the stack. Functions documented as taking validated input
// skip those checks and must only see bytes one of the validating functions
// accepted.
package rawjson

import "fmt"

// DefaultMaxDepth bounds nesting when a caller gives no bound. It matches
// the parsers' limit, so a record a parser accepted is accepted here too.
const DefaultMaxDepth = 512

// Kind is the type of a JSON value.
type Kind uint8

// The kinds of JSON values.
const (
	Invalid Kind = iota
	Null
	Bool
	Number
	String
	Array
	Object
)

var kindNames = [...]string{Invalid: "not JSON", Null: "null", Bool: "a boolean", Number: "a number",
	String: "a string", Array: "an array", Object: "an object"}

// String names the kind with its article, for messages: "an object".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// KindOf returns the kind of the value v starts with, after whitespace. It
// looks at one byte only, so v must be valid for the answer to mean more
// than a guess.
func KindOf(v []byte) Kind {
	for _, c := range v {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case 'n':
			return Null
		case 't', 'f':
			return Bool
		case '"':
			return String
		case '[':
			return Array
		case '{':
			return Object
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			return Number
		}
		return Invalid
	}
	return Invalid
}

// SyntaxError is a validation failure at a byte offset of the input.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.Offset, e.Msg)
}

// Trim returns v without surrounding JSON whitespace.
func Trim(v []byte) []byte {
	i, j := 0, len(v)
	for i < j && isSpace(v[i]) {
		i++
	}
	for j > i && isSpace(v[j-1]) {
		j--
	}
	return v[i:j]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// Truthy reports whether Python would find the validated value true: every
// value but null, false, zero, "", [] and {}. StreamAlert skips type
// conversion of false values and treats them as absent in normalization.
func Truthy(v []byte) bool {
	v = Trim(v)
	if len(v) == 0 {
		return false
	}
	switch KindOf(v) {
	case Null:
		return false
	case Bool:
		return v[0] == 't'
	case String:
		return len(v) > 2
	case Array, Object:
		return len(Trim(v[1:len(v)-1])) > 0
	case Number:
		return !isZero(v)
	}
	return false
}

// isZero reports whether a number literal is zero: digits of the mantissa
// all '0' (the exponent does not matter).
func isZero(v []byte) bool {
	for _, c := range v {
		switch {
		case c == 'e' || c == 'E':
			return true
		case c >= '1' && c <= '9':
			return false
		}
	}
	return true
}
