package publish

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// pyFormat is Python's template.format(**args) for the part of the format
// language templates in StreamAlert rules use: "{{" and "}}", fields named
// by keyword with any number of "[key]" lookups, the conversions !s, !r
// and !a, and format specs of the form [[fill]align][width][.precision].
// What Python would raise (a missing key, a positional field, an
// attribute lookup, another spec) is an error naming the field.
func pyFormat(template string, args map[string]any) (string, error) {
	var out strings.Builder
	for i := 0; i < len(template); {
		c := template[i]
		switch {
		case c == '{' && strings.HasPrefix(template[i:], "{{"), c == '}' && strings.HasPrefix(template[i:], "}}"):
			out.WriteByte(c)
			i += 2
		case c == '}':
			return "", fmt.Errorf("single '}' encountered in format string")
		case c == '{':
			end := strings.IndexByte(template[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("single '{' encountered in format string")
			}
			s, err := formatField(template[i+1:i+end], args)
			if err != nil {
				return "", err
			}
			out.WriteString(s)
			i += end + 1
		default:
			out.WriteByte(c)
			i++
		}
	}
	return out.String(), nil
}

// formatField renders one replacement field (between the braces).
func formatField(field string, args map[string]any) (string, error) {
	field, spec, _ := strings.Cut(field, ":")
	field, conv, hasConv := strings.Cut(field, "!")
	v, err := lookupField(field, args)
	if err != nil {
		return "", err
	}
	if hasConv {
		switch conv {
		case "s":
			v = pyStr(v)
		case "r":
			v = pyRepr(v)
		case "a":
			v = asciiRepr(pyRepr(v))
		default:
			return "", fmt.Errorf("field %q: unknown conversion %q", field, conv)
		}
	}
	return applySpec(field, v, spec)
}

// lookupField resolves "name[key][key]..." against args.
func lookupField(field string, args map[string]any) (any, error) {
	name, rest, _ := strings.Cut(field, "[")
	if strings.Contains(name, ".") {
		return nil, fmt.Errorf("field %q: attribute lookups are not supported", field)
	}
	if name == "" || isDigits(name) {
		return nil, fmt.Errorf("field %q: positional fields have no arguments", field)
	}
	v, ok := args[name]
	if !ok {
		return nil, fmt.Errorf("field %q: no key %q in the publication", field, name)
	}
	for rest != "" {
		key, after, ok := strings.Cut(rest, "]")
		if !ok {
			return nil, fmt.Errorf("field %q: missing ']'", field)
		}
		var err error
		if v, err = index(v, key); err != nil {
			return nil, fmt.Errorf("field %q: %w", field, err)
		}
		if after == "" {
			break
		}
		if !strings.HasPrefix(after, "[") {
			return nil, fmt.Errorf("field %q: only '[' may follow ']'", field)
		}
		rest = after[1:]
	}
	return v, nil
}

// index is Python's v[key] where key is an int if all digits, else a str.
func index(v any, key string) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if isDigits(key) {
			return nil, fmt.Errorf("no integer key %s in an object", key)
		}
		e, ok := x[key]
		if !ok {
			return nil, fmt.Errorf("no key %q", key)
		}
		return e, nil
	case []any:
		if !isDigits(key) {
			return nil, fmt.Errorf("list index %q is not an integer", key)
		}
		i, err := strconv.Atoi(key)
		if err != nil || i >= len(x) {
			return nil, fmt.Errorf("list index %s out of range", key)
		}
		return x[i], nil
	}
	return nil, fmt.Errorf("%s is not subscriptable", pyRepr(v))
}

// applySpec formats v with a spec of the form [[fill]align][width][.precision].
// Strings align left by default and are cut to the precision; other
// values align right, as Python's numbers do.
func applySpec(field string, v any, spec string) (string, error) {
	s, isStr := v.(string)
	if !isStr {
		s = pyStr(v)
	}
	if spec == "" {
		return s, nil
	}
	fill, align, width, prec, ok := parseSpec(spec)
	if !ok {
		return "", fmt.Errorf("field %q: format spec %q is not supported", field, spec)
	}
	if prec >= 0 {
		if !isStr {
			return "", fmt.Errorf("field %q: a precision applies to strings only here", field)
		}
		if utf8.RuneCountInString(s) > prec {
			s = string([]rune(s)[:prec])
		}
	}
	if align == 0 {
		align = map[bool]rune{true: '<', false: '>'}[isStr]
	}
	return pad(s, fill, align, width), nil
}

// parseSpec splits [[fill]align][width][.precision]; prec is -1 if absent.
func parseSpec(spec string) (fill, align rune, width, prec int, ok bool) {
	fill, prec = ' ', -1
	rs := []rune(spec)
	isAlign := func(r rune) bool { return r == '<' || r == '>' || r == '^' }
	switch {
	case len(rs) >= 2 && isAlign(rs[1]):
		fill, align, rs = rs[0], rs[1], rs[2:]
	case len(rs) >= 1 && isAlign(rs[0]):
		align, rs = rs[0], rs[1:]
	}
	w, p, hasPrec := strings.Cut(string(rs), ".")
	if w != "" {
		if !isDigits(w) {
			return 0, 0, 0, 0, false
		}
		width, _ = strconv.Atoi(w)
	}
	if hasPrec {
		if !isDigits(p) {
			return 0, 0, 0, 0, false
		}
		prec, _ = strconv.Atoi(p)
	}
	return fill, align, width, prec, true
}

func pad(s string, fill, align rune, width int) string {
	n := width - utf8.RuneCountInString(s)
	if n <= 0 {
		return s
	}
	f := func(k int) string { return strings.Repeat(string(fill), k) }
	switch align {
	case '<':
		return s + f(n)
	case '^':
		return f(n/2) + s + f(n-n/2)
	}
	return f(n) + s
}

// asciiRepr is Python's ascii(): repr with non-ASCII escaped.
func asciiRepr(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	return b.String()
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
