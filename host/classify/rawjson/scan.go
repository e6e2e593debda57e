package rawjson

import "unicode/utf8"

// scanner validates JSON as it walks it. It records the first error and
// stops; every method returns false once an error is set.
type scanner struct {
	data   []byte
	pos    int
	depth  int
	max    int
	spaced bool // whitespace seen inside a container
	err    *SyntaxError
	// members and elems collect the top-level object's members or
	// array's elements when the scan was started to split it.
	members []Member
	elems   [][]byte
}

func newScanner(data []byte, maxDepth int) *scanner {
	if maxDepth <= 0 {
		maxDepth = DefaultMaxDepth
	}
	return &scanner{data: data, max: maxDepth}
}

func (s *scanner) fail(msg string) bool {
	if s.err == nil {
		s.err = &SyntaxError{Offset: s.pos, Msg: msg}
	}
	return false
}

func (s *scanner) skipSpace() {
	start := s.pos
	for s.pos < len(s.data) && isSpace(s.data[s.pos]) {
		s.pos++
	}
	if s.pos != start && s.depth > 0 {
		s.spaced = true
	}
}

// end checks that only whitespace follows the value just scanned.
func (s *scanner) end() bool {
	s.skipSpace()
	if s.pos != len(s.data) {
		return s.fail("data after the value")
	}
	return true
}

// value scans one value starting at the current position (no leading
// whitespace).
func (s *scanner) value() bool {
	if s.pos >= len(s.data) {
		return s.fail("unexpected end of input")
	}
	switch c := s.data[s.pos]; c {
	case '{':
		return s.object(false)
	case '[':
		return s.array(false)
	case '"':
		return s.str()
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return s.number()
		}
		return s.fail("unexpected character " + quoteByte(c))
	}
}

func (s *scanner) literal(word string) bool {
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		return s.fail("invalid literal")
	}
	s.pos += len(word)
	return true
}

func (s *scanner) enter() bool {
	s.depth++
	if s.depth > s.max {
		return s.fail("nested deeper than the limit")
	}
	return true
}

// object scans an object; with collect, its members are appended to
// s.members.
func (s *scanner) object(collect bool) bool {
	if !s.enter() {
		return false
	}
	s.pos++ // '{'
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		s.depth--
		return true
	}
	for {
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return s.fail("expected a string key")
		}
		k := s.pos
		if !s.str() {
			return false
		}
		key := s.data[k:s.pos]
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return s.fail("expected ':' after a key")
		}
		s.pos++
		s.skipSpace()
		v := s.pos
		if !s.value() {
			return false
		}
		if collect {
			s.members = append(s.members, Member{Key: key, Value: s.data[v:s.pos]})
		}
		if done, ok := s.next('}'); !ok || done {
			return ok
		}
	}
}

// array scans an array; with collect, its elements are appended to
// s.elems.
func (s *scanner) array(collect bool) bool {
	if !s.enter() {
		return false
	}
	s.pos++ // '['
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		s.depth--
		return true
	}
	for {
		v := s.pos
		if !s.value() {
			return false
		}
		if collect {
			s.elems = append(s.elems, s.data[v:s.pos])
		}
		if done, ok := s.next(']'); !ok || done {
			return ok
		}
	}
}

// next consumes the ',' between members or the closing byte; done is true
// after the closing byte.
func (s *scanner) next(closing byte) (done, ok bool) {
	s.skipSpace()
	if s.pos >= len(s.data) {
		return false, s.fail("unexpected end of input")
	}
	switch s.data[s.pos] {
	case ',':
		s.pos++
		s.skipSpace()
		return false, true
	case closing:
		s.pos++
		s.depth--
		return true, true
	}
	return false, s.fail("expected ',' or " + quoteByte(closing))
}

func (s *scanner) number() bool {
	d, i := s.data, s.pos
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		i = digits(d, i)
	default:
		s.pos = i
		return s.fail("invalid number")
	}
	if i < len(d) && d[i] == '.' {
		if j := digits(d, i+1); j > i+1 {
			i = j
		} else {
			s.pos = i
			return s.fail("invalid number: no digits after '.'")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if j := digits(d, i); j > i {
			i = j
		} else {
			s.pos = i
			return s.fail("invalid number: no digits in the exponent")
		}
	}
	s.pos = i
	return true
}

func digits(d []byte, i int) int {
	for i < len(d) && d[i] >= '0' && d[i] <= '9' {
		i++
	}
	return i
}

// str scans a string literal: escapes checked, control characters refused,
// UTF-8 validated.
func (s *scanner) str() bool {
	d := s.data
	i := s.pos + 1
	for i < len(d) {
		for i < len(d) && plain[d[i]] {
			i++ // the common case: printable ASCII other than '"' and '\\'
		}
		if i >= len(d) {
			break
		}
		c := d[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return true
		case c == '\\':
			n, ok := escapeLen(d[i:])
			if !ok {
				s.pos = i
				return s.fail("invalid escape in string")
			}
			i += n
		case c < 0x20:
			s.pos = i
			return s.fail("control character in string")
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size == 1 {
				s.pos = i
				return s.fail("invalid UTF-8")
			}
			i += size
		}
	}
	s.pos = i
	return s.fail("unterminated string")
}

// plain marks the bytes a string holds as they are: printable ASCII other
// than the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// escapeLen returns the length of the escape sequence at the start of b.
func escapeLen(b []byte) (int, bool) {
	if len(b) < 2 {
		return 0, false
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2, true
	case 'u':
		if len(b) < 6 {
			return 0, false
		}
		for _, c := range b[2:6] {
			if !isHex(c) {
				return 0, false
			}
		}
		return 6, true
	}
	return 0, false
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(c) + "'"
	}
	const hex = "0123456789abcdef"
	return "byte 0x" + string(hex[c>>4]) + string(hex[c&15])
}
