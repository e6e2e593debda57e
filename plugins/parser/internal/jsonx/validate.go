package jsonx

// scanResult is what validate found.
type scanResult int

const (
	scanOK scanResult = iota
	scanSyntax
	scanDeep
)

// Valid reports whether b is one JSON value nested at most MaxDepth deep,
// without the error Check would build; b must be valid UTF-8.
func Valid(b []byte) bool { return validate(Trim(b)) == scanOK }

// plain marks the bytes a JSON string may hold without any check: all but
// the quote, the backslash and control characters. UTF-8 is checked apart.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// validate checks that b is exactly one JSON value (RFC 8259 grammar, not
// UTF-8) nested at most MaxDepth deep, in one pass and without allocating.
// It replaces encoding/json.Valid, whose per-byte state functions took most
// of the parsers' time; FuzzCheck holds the two to the same answers.
func validate(b []byte) scanResult {
	var stack [MaxDepth]byte // the closing bracket of each open container
	depth := 0
	i := skipSpace(b, 0)
	for {
		// A value starts at b[i].
		if i >= len(b) {
			return scanSyntax
		}
		switch c := b[i]; {
		case c == '{' || c == '[':
			if depth == MaxDepth {
				return scanDeep
			}
			stack[depth] = c + 2 // '{'+2 == '}', '['+2 == ']'
			depth++
			i = skipSpace(b, i+1)
			if i < len(b) && b[i] == c+2 {
				depth--
				i++
				break
			}
			if c == '{' {
				if i = member(b, i); i < 0 {
					return scanSyntax
				}
			}
			continue
		case c == '"':
			if i = stringAt(b, i); i < 0 {
				return scanSyntax
			}
		case c == '-' || '0' <= c && c <= '9':
			if i = number(b, i); i < 0 {
				return scanSyntax
			}
		default:
			if i = literal(b, i); i < 0 {
				return scanSyntax
			}
		}
		// A value ended before b[i]: close containers or move to the next
		// element or member.
		for {
			i = skipSpace(b, i)
			if depth == 0 {
				if i == len(b) {
					return scanOK
				}
				return scanSyntax
			}
			if i >= len(b) {
				return scanSyntax
			}
			if b[i] == stack[depth-1] {
				depth--
				i++
				continue
			}
			if b[i] != ',' {
				return scanSyntax
			}
			i = skipSpace(b, i+1)
			if stack[depth-1] == '}' {
				if i = member(b, i); i < 0 {
					return scanSyntax
				}
			}
			break
		}
	}
}

// member checks a member's key and colon at b[i] and returns where its value
// starts, or -1.
func member(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	if i = stringAt(b, i); i < 0 {
		return -1
	}
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != ':' {
		return -1
	}
	return skipSpace(b, i+1)
}

// stringAt checks the string starting at b[i] and returns the offset past
// it, or -1.
func stringAt(b []byte, i int) int {
	for i++; i < len(b); i++ {
		for i < len(b) && plain[b[i]] {
			i++
		}
		if i >= len(b) {
			return -1
		}
		switch b[i] {
		case '"':
			return i + 1
		case '\\':
			if i++; i >= len(b) {
				return -1
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(b) || !isHex(b[i+1]) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) {
					return -1
				}
				i += 4
			default:
				return -1
			}
		default: // a control character
			return -1
		}
	}
	return -1
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// number checks the number starting at b[i] and returns the offset past it,
// or -1.
func number(b []byte, i int) int {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(b, i)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		if j := digits(b, i+1); j > i+1 {
			i = j
		} else {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// literal checks true, false or null at b[i] and returns the offset past
// it, or -1.
func literal(b []byte, i int) int {
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
			return i + len(lit)
		}
	}
	return -1
}
