package rawjson

import (
	"bytes"
	"iter"
)

// The functions in this file take validated input: bytes that Validate,
// SplitObject or SplitArray accepted, or that this package wrote. They do
// not check the grammar again, which makes them cheap enough to call per
// lookup.

// skip returns the offset just past the value starting at d[i].
func skip(d []byte, i int) int {
	switch d[i] {
	case '"':
		return skipString(d, i)
	case '{', '[':
		depth := 0
		for ; i < len(d); i++ {
			switch structural[d[i]] {
			case 0:
				continue
			case '"':
				i = skipString(d, i) - 1
			case '{':
				depth++
			case '}':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return i
	}
	for i < len(d) && !isSpace(d[i]) && d[i] != ',' && d[i] != '}' && d[i] != ']' {
		i++
	}
	return i
}

// structural classifies the bytes skip must look at: quotes, and opening
// and closing brackets of either kind.
var structural = [256]byte{'"': '"', '{': '{', '[': '{', '}': '}', ']': '}'}

// skipString returns the offset just past the string literal at d[i]. It
// jumps from quote to quote; a quote preceded by an odd run of
// backslashes is escaped.
func skipString(d []byte, i int) int {
	for i++; ; i++ {
		j := bytes.IndexByte(d[i:], '"')
		if j < 0 {
			return len(d)
		}
		i += j
		n := 0
		for k := i - 1; k >= 0 && d[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return i + 1
		}
	}
}

func skipSpaceAt(d []byte, i int) int {
	for i < len(d) && isSpace(d[i]) {
		i++
	}
	return i
}

// Members iterates over the members of the validated object obj, yielding
// each key's literal (quotes included) and value.
func Members(obj []byte) iter.Seq2[[]byte, []byte] {
	return func(yield func([]byte, []byte) bool) {
		i := skipSpaceAt(obj, 0)
		if i >= len(obj) || obj[i] != '{' {
			return
		}
		for i = skipSpaceAt(obj, i+1); i < len(obj) && obj[i] == '"'; {
			k := skipString(obj, i)
			key := obj[i:k]
			v := skipSpaceAt(obj, skipSpaceAt(obj, k)+1) // past ':'
			e := skip(obj, v)
			if !yield(key, obj[v:e]) {
				return
			}
			i = skipSpaceAt(obj, e)
			if i < len(obj) && obj[i] == ',' {
				i = skipSpaceAt(obj, i+1)
			}
		}
	}
}

// Elements iterates over the elements of the validated array arr.
func Elements(arr []byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		i := skipSpaceAt(arr, 0)
		if i >= len(arr) || arr[i] != '[' {
			return
		}
		for i = skipSpaceAt(arr, i+1); i < len(arr) && arr[i] != ']'; {
			e := skip(arr, i)
			if !yield(arr[i:e]) {
				return
			}
			i = skipSpaceAt(arr, e)
			if i < len(arr) && arr[i] == ',' {
				i = skipSpaceAt(arr, i+1)
			}
		}
	}
}

// Lookup returns the value of key name in the validated object obj. As in
// Python's json module, the last of duplicate keys wins.
func Lookup(obj []byte, name string) (val []byte, ok bool) {
	for k, v := range Members(obj) {
		if KeyIs(k, name) {
			val, ok = v, true
		}
	}
	return val, ok
}

// WalkObjects calls fn with the key literal and value of each member of
// the validated object obj whose value is not an object, descending into
// the members that are objects (but not into arrays). It makes one pass
// and does not allocate, for callers that look for keys at any depth.
func WalkObjects(obj []byte, fn func(key, val []byte)) {
	i := skipSpaceAt(obj, 0)
	if i < len(obj) && obj[i] == '{' {
		walkObject(obj, i, fn)
	}
}

// walkObject walks the object at d[i] and returns the offset after it.
func walkObject(d []byte, i int, fn func(key, val []byte)) int {
	for i = skipSpaceAt(d, i+1); i < len(d); i = skipSpaceAt(d, i) {
		switch d[i] {
		case '}':
			return i + 1
		case ',':
			i++
			continue
		}
		k := skipString(d, i)
		key := d[i:k]
		v := skipSpaceAt(d, skipSpaceAt(d, k)+1)
		if d[v] == '{' {
			i = walkObject(d, v, fn)
			continue
		}
		i = skip(d, v)
		fn(key, d[v:i])
	}
	return i
}

// KeyIs reports whether the string literal key decodes to name, without
// decoding it when it holds no escapes.
func KeyIs(key []byte, name string) bool {
	if len(key) < 2 {
		return false
	}
	inner := key[1 : len(key)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner) == name
	}
	return Unquote(key) == name
}
