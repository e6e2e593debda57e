package jpath

import (
	"encoding/json"
	"strings"

	"github.com/streamalert-go/sa/plugins/parser/internal/jsonx"
)

// simple is an expression of the form  a.b[*].c.d  : fields before an
// optional list projection, and fields applied to each projected element.
// Either list may be empty ("[*]", "Records[*]", "detail").
type simple struct {
	before, after []string
	project       bool
}

// parseSimple returns the simple form of expr, or nil when expr is anything
// else. It accepts a strict subset of JMESPath's grammar (no whitespace, no
// other brackets), so whatever it accepts means the same in go-jmespath; the
// fuzz test holds the two to that.
func parseSimple(expr string) *simple {
	s := &simple{}
	rest, projected := strings.CutPrefix(expr, "[*]")
	for !projected {
		name, n := identifier(rest)
		if n == 0 {
			return nil
		}
		s.before = append(s.before, name)
		if rest, projected = strings.CutPrefix(rest[n:], "[*]"); projected {
			break
		}
		if rest == "" {
			return s
		}
		if rest[0] != '.' {
			return nil
		}
		rest = rest[1:]
	}
	s.project = true
	for rest != "" {
		if rest[0] != '.' {
			return nil
		}
		name, n := identifier(rest[1:])
		if n == 0 {
			return nil
		}
		s.after = append(s.after, name)
		rest = rest[1+n:]
	}
	return s
}

// identifier reads a JMESPath unquoted or quoted identifier from the start
// of s and returns it with the number of bytes it took, or n == 0.
func identifier(s string) (name string, n int) {
	if s == "" {
		return "", 0
	}
	if s[0] == '"' {
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				if err := json.Unmarshal([]byte(s[:i+1]), &name); err != nil {
					return "", 0
				}
				return name, i + 1
			}
		}
		return "", 0
	}
	for n < len(s) && (s[n] == '_' || 'a' <= s[n] && s[n] <= 'z' || 'A' <= s[n] && s[n] <= 'Z' || n > 0 && '0' <= s[n] && s[n] <= '9') {
		n++
	}
	return s[:n], n
}

// fields applies field lookups to v; ok is false when a step meets a value
// that is not an object or lacks the key, where JMESPath yields null.
func fields(v []byte, names []string) (out []byte, ok bool) {
	for _, name := range names {
		if v, ok = jsonx.Get(v, name); !ok {
			return nil, false
		}
	}
	return v, true
}

func (s *simple) selectFrom(doc []byte) [][]byte {
	v, ok := fields(doc, s.before)
	if !ok {
		return nil
	}
	if !s.project {
		return listOrValue(v)
	}
	// A projection over anything but a list is null; null results of the
	// right-hand side are left out of the collected list.
	var out [][]byte
	for e := range jsonx.Elements(v) {
		if r, ok := fields(e, s.after); ok && jsonx.KindOf(r) != jsonx.Null {
			out = append(out, r)
		}
	}
	return out
}
