package jsonx

import (
	"encoding/json"
	"unicode/utf8"
)

// unescape decodes the inside of a JSON string that holds escapes. Strings
// with escapes are the minority, so the standard decoder does the work.
func unescape(inner []byte) string {
	quoted := make([]byte, 0, len(inner)+2)
	quoted = append(append(append(quoted, '"'), inner...), '"')
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return ""
	}
	return s
}

const hex = "0123456789abcdef"

// AppendString appends s to dst as a JSON string. Invalid UTF-8 becomes
// U+FFFD, so the output is always valid JSON; the parsers check their input
// first and never rely on that.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				dst = append(append(dst, s[start:i]...), "\ufffd"...)
				i++
				start = i
				continue
			}
			i += n
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	return append(append(dst, s[start:]...), '"')
}

// Builder builds a JSON object by appending members in order.
type Builder struct {
	buf []byte
}

// NewBuilder starts an object in a buffer of the given capacity.
func NewBuilder(capacity int) *Builder {
	return &Builder{buf: append(make([]byte, 0, capacity), '{')}
}

// String appends a member whose value is the string v.
func (o *Builder) String(key, v string) {
	o.key(key)
	o.buf = AppendString(o.buf, v)
}

// Raw appends a member whose value is the JSON value v, as it is.
func (o *Builder) Raw(key string, v []byte) {
	o.key(key)
	o.buf = append(o.buf, v...)
}

func (o *Builder) key(k string) {
	if len(o.buf) > 1 {
		o.buf = append(o.buf, ',')
	}
	o.buf = append(AppendString(o.buf, k), ':')
}

// Bytes closes the object and returns it. The Builder must not be used after.
func (o *Builder) Bytes() []byte {
	return append(o.buf, '}')
}
