package httpout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"
)

// PyJSON renders a JSON value as Python's json.dumps(v, sort_keys=True,
// indent=indent) does, the text StreamAlert's outputs put in issue bodies:
// keys sorted, ", " and ": " separators (or one item a line under indent
// spaces when indent > 0), non-ASCII written as \u escapes. Numbers keep
// their JSON spelling. A value that is not JSON renders as null.
func PyJSON(raw json.RawMessage, indent int) string {
	raw = bytes.TrimSpace(raw)
	if !json.Valid(raw) {
		return "null"
	}
	var b strings.Builder
	pyDump(&b, raw, indent, 0)
	return b.String()
}

// pyDump writes one value at nesting depth.
func pyDump(b *strings.Builder, raw json.RawMessage, indent, depth int) {
	raw = bytes.TrimSpace(raw)
	switch raw[0] {
	case '"':
		var s string
		_ = json.Unmarshal(raw, &s)
		b.WriteString(pyQuoteASCII(s))
	case '{':
		members := Members(raw)
		slices.SortStableFunc(members, func(x, y Member) int { return strings.Compare(x.Key, y.Key) })
		pyContainer(b, '{', '}', len(members), indent, depth, func(i int) {
			b.WriteString(pyQuoteASCII(members[i].Key))
			b.WriteString(": ")
			pyDump(b, members[i].Value, indent, depth+1)
		})
	case '[':
		var items []json.RawMessage
		_ = json.Unmarshal(raw, &items)
		pyContainer(b, '[', ']', len(items), indent, depth, func(i int) { pyDump(b, items[i], indent, depth+1) })
	default:
		b.Write(raw)
	}
}

// pyContainer writes n items between open and close with json.dumps's
// separators.
func pyContainer(b *strings.Builder, open, close byte, n, indent, depth int, item func(int)) {
	b.WriteByte(open)
	if n == 0 {
		b.WriteByte(close)
		return
	}
	inner, outer := ", ", ""
	if indent > 0 {
		inner = ",\n" + strings.Repeat(" ", indent*(depth+1))
		outer = "\n" + strings.Repeat(" ", indent*depth)
		b.WriteString(inner[1:])
	}
	for i := range n {
		if i > 0 {
			b.WriteString(inner)
		}
		item(i)
	}
	b.WriteString(outer)
	b.WriteByte(close)
}

// pyQuoteASCII is json.dumps of a str with ensure_ascii.
func pyQuoteASCII(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || r > 0x7e && r != 0x7f:
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04x`, u)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
