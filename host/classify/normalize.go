package classify

import (
	"slices"
	"strings"

	"github.com/streamalert-go/sa/host/classify/rawjson"
	"github.com/streamalert-go/sa/host/config"
)

// Normalization v2 is StreamAlert 3.5's per-schema "normalization": for
// each normalized name, each param whose condition holds and whose path
// leads to a value Python finds true adds an entry
// {"function", "values"[, "send_to_artifacts": false]}, where values is the
// value itself when it is a list and [str(value)] otherwise. The result is
// stored under "streamalert_normalization", even when empty, with
// "streamalert_record_id" (a random UUID) when anything matched. A path
// through a value that is not an object finds nothing (Python raised).

const (
	normKeyV2 = "streamalert_normalization"
	normKeyV1 = "streamalert:normalization"
	recordID  = "streamalert_record_id"
)

// appendNormV2 appends the member "streamalert_normalization" of rec, a
// complete record object, to dst and its values to norm.
func appendNormV2(dst, rec []byte, fields []config.NormalizedField, newID func() string, norm *[]Normalized) []byte {
	dst = append(dst, `"`+normKeyV2+`":{`...)
	matched := false
	for _, nf := range fields {
		start := len(dst)
		if matched {
			dst = append(dst, ',')
		}
		dst = rawjson.AppendQuote(dst, nf.Name)
		dst = append(dst, ":["...)
		entries := 0
		for _, prm := range nf.Params {
			if prm.When != nil && !conditionHolds(rec, prm.When) {
				continue
			}
			v, ok := findValue(rec, prm.Path)
			if !ok {
				continue
			}
			if entries > 0 {
				dst = append(dst, ',')
			}
			entries++
			dst = appendEntry(dst, v, prm, nf.Name, norm)
		}
		if entries == 0 {
			dst = dst[:start]
			continue
		}
		dst = append(dst, ']')
		matched = true
	}
	if matched {
		dst = append(dst, `,"`+recordID+`":`...)
		dst = rawjson.AppendQuote(dst, newID())
	}
	return append(dst, '}')
}

func appendEntry(dst, v []byte, prm config.NormalizationParam, name string, norm *[]Normalized) []byte {
	dst = append(dst, `{"function":`...)
	if prm.Function == "" {
		dst = append(dst, "null"...)
	} else {
		dst = rawjson.AppendQuote(dst, prm.Function)
	}
	dst = append(dst, `,"values":`...)
	if rawjson.KindOf(v) == rawjson.Array {
		dst = rawjson.AppendCompact(dst, v)
		for e := range rawjson.Elements(v) {
			*norm = appendNorm(*norm, name, pyStr(e))
		}
	} else {
		s := pyStr(v)
		dst = append(dst, '[')
		dst = rawjson.AppendQuote(dst, s)
		dst = append(dst, ']')
		*norm = appendNorm(*norm, name, s)
	}
	if !prm.SendToArtifacts {
		dst = append(dst, `,"send_to_artifacts":false`...)
	}
	return append(dst, '}')
}

// appendNorm adds a value unless the type has it already.
func appendNorm(norm []Normalized, typ, value string) []Normalized {
	n := Normalized{Type: typ, Value: value}
	if slices.Contains(norm, n) {
		return norm
	}
	return append(norm, n)
}

// findValue follows path from rec as StreamAlert's _find_value does: every
// step must lead to a value Python finds true.
func findValue(rec []byte, path []string) ([]byte, bool) {
	v := rec
	for _, key := range path {
		if rawjson.KindOf(v) != rawjson.Object {
			return nil, false
		}
		var ok bool
		if v, ok = rawjson.Lookup(v, key); !ok || !rawjson.Truthy(v) {
			return nil, false
		}
	}
	return v, len(path) > 0
}

// conditionHolds evaluates a param's condition on the lowercased string of
// the value at its path; a path that finds nothing fails it.
func conditionHolds(rec []byte, c *config.Condition) bool {
	v, ok := findValue(rec, c.Path)
	if !ok {
		return false
	}
	s := strings.ToLower(pyStr(v))
	switch c.Op {
	case "is":
		return s == c.Value
	case "is_not":
		return s != c.Value
	case "in":
		return in(s, c)
	case "not_in":
		return !in(s, c)
	case "contains":
		return strings.Contains(s, c.Value)
	case "not_contains":
		return !strings.Contains(s, c.Value)
	}
	return false
}

// in is Python's "s in operand": membership in a list, or a substring of a
// string operand.
func in(s string, c *config.Condition) bool {
	if c.Values != nil {
		return slices.Contains(c.Values, s)
	}
	return strings.Contains(c.Value, s)
}

// pyStr is str() of a validated value, with sa's JSON spelling for
// booleans, null and containers (see convert.go).
func pyStr(v []byte) string {
	switch rawjson.KindOf(v) {
	case rawjson.String:
		return rawjson.Unquote(v)
	case rawjson.Number:
		return pyStrNumber(v)
	}
	return string(rawjson.AppendCompact(nil, v))
}
