package jsonx

import (
	"bytes"
	"iter"
	"strconv"
)

// Kind is the type of a JSON value, read from its first byte.
type Kind int

// The JSON value kinds.
const (
	Invalid Kind = iota
	Null
	Bool
	Number
	String
	Array
	Object
)

var kindNames = [...]string{"nothing", "null", "a boolean", "a number", "a string", "an array", "an object"}

// String names the kind for messages ("an array").
func (k Kind) String() string { return kindNames[k] }

// KindOf returns the kind of the value v starts with.
func KindOf(v []byte) Kind {
	if len(v) == 0 {
		return Invalid
	}
	switch v[0] {
	case '{':
		return Object
	case '[':
		return Array
	case '"':
		return String
	case 'n':
		return Null
	case 't', 'f':
		return Bool
	}
	return Number
}

// stringEnd returns the offset just past the string whose opening quote is
// at b[i], or len(b) when it is not closed. Quotes are found with IndexByte,
// which is vectorised, and a quote counts as closing when an even number of
// backslashes precedes it.
func stringEnd(b []byte, i int) int {
	for j := i + 1; ; {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return len(b)
		}
		k += j
		escapes := 0
		for p := k - 1; p > i && b[p] == '\\'; p-- {
			escapes++
		}
		if escapes%2 == 0 {
			return k + 1
		}
		j = k + 1
	}
}

// valueEnd returns the offset just past the value starting at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && !isSpace(b[j]) && b[j] != ',' && b[j] != '}' && b[j] != ']' {
		j++
	}
	return j
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// Members yields the raw key (quotes and escapes included) and raw value of
// each member of the object obj, in document order, duplicates included.
func Members(obj []byte) iter.Seq2[[]byte, []byte] {
	return func(yield func([]byte, []byte) bool) {
		if KindOf(obj) != Object {
			return
		}
		for i := skipSpace(obj, 1); i < len(obj) && obj[i] == '"'; {
			kEnd := stringEnd(obj, i)
			key := obj[i:kEnd]
			v := skipSpace(obj, skipSpace(obj, kEnd)+1) // past the colon
			if v >= len(obj) {
				return
			}
			vEnd := valueEnd(obj, v)
			if !yield(key, obj[v:vEnd]) {
				return
			}
			i = skipSpace(obj, vEnd)
			if i >= len(obj) || obj[i] != ',' {
				return
			}
			i = skipSpace(obj, i+1)
		}
	}
}

// Elements yields the raw value of each element of the array arr.
func Elements(arr []byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		if KindOf(arr) != Array {
			return
		}
		for i := skipSpace(arr, 1); i < len(arr) && arr[i] != ']'; {
			end := valueEnd(arr, i)
			if !yield(arr[i:end]) {
				return
			}
			i = skipSpace(arr, end)
			if i >= len(arr) || arr[i] != ',' {
				return
			}
			i = skipSpace(arr, i+1)
		}
	}
}

// Get returns the value of key in the object obj. When the key appears more
// than once the last value wins, as in Python's json module and Go's.
func Get(obj []byte, key string) (v []byte, ok bool) {
	for k, val := range Members(obj) {
		if KeyIs(k, key) {
			v, ok = val, true
		}
	}
	return v, ok
}

// KeyIs reports whether the raw JSON string raw decodes to key.
func KeyIs(raw []byte, key string) bool {
	if len(raw) < 2 {
		return false
	}
	if inner := raw[1 : len(raw)-1]; bytes.IndexByte(inner, '\\') < 0 {
		return string(inner) == key
	}
	return Unquote(raw) == key
}

// Unquote decodes the raw JSON string raw.
func Unquote(raw []byte) string {
	if len(raw) < 2 {
		return ""
	}
	if inner := raw[1 : len(raw)-1]; bytes.IndexByte(inner, '\\') < 0 {
		return string(inner)
	}
	return unescape(raw[1 : len(raw)-1])
}

// Truthy reports whether Python would treat the decoded value as true:
// null, false, zero, "", [] and {} are false. StreamAlert drops a json_path
// result that is not truthy.
func Truthy(v []byte) bool {
	switch KindOf(v) {
	case Null, Invalid:
		return false
	case Bool:
		return v[0] == 't'
	case String:
		return len(v) > 2
	case Number:
		f, _ := strconv.ParseFloat(string(v), 64) // underflow reads as 0, as in Python
		return f != 0
	case Array, Object:
		i := skipSpace(v, 1)
		return i < len(v) && v[i] != ']' && v[i] != '}'
	}
	return false
}
