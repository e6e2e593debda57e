package httpout

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Member is one key and value of a JSON object, in document order.
type Member struct {
	Key   string
	Value json.RawMessage
}

// Members returns the members of a JSON object in the order they are
// written, which StreamAlert's outputs iterate in (Python dicts keep
// insertion order). A value that is not an object yields nil.
func Members(raw json.RawMessage) []Member {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var out []Member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return out
		}
		out = append(out, Member{Key: key, Value: v})
	}
	return out
}

// PyStr renders a JSON value as Python's str() renders its decoded form,
// the text StreamAlert's outputs show: strings bare, true/false/null as
// True/False/None, objects and lists in repr form in document order.
// Numbers keep their JSON spelling.
func PyStr(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s
	}
	var b strings.Builder
	pyRepr(&b, raw)
	return b.String()
}

// pyRepr writes Python's repr() of a JSON value.
func pyRepr(b *strings.Builder, raw json.RawMessage) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		b.WriteString("None")
		return
	}
	switch raw[0] {
	case '"':
		var s string
		_ = json.Unmarshal(raw, &s)
		b.WriteString(pyQuote(s))
	case '{':
		b.WriteByte('{')
		for i, m := range Members(raw) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyQuote(m.Key))
			b.WriteString(": ")
			pyRepr(b, m.Value)
		}
		b.WriteByte('}')
	case '[':
		var items []json.RawMessage
		_ = json.Unmarshal(raw, &items)
		b.WriteByte('[')
		for i, it := range items {
			if i > 0 {
				b.WriteString(", ")
			}
			pyRepr(b, it)
		}
		b.WriteByte(']')
	case 't':
		b.WriteString("True")
	case 'f':
		b.WriteString("False")
	case 'n':
		b.WriteString("None")
	default:
		b.Write(raw)
	}
}

// pyQuote is Python's repr() of a str: single quotes unless the text has
// a single quote and no double quote.
func pyQuote(s string) string {
	q := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}
