package emf

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// appendLine appends one EMF document and a newline to buf: the _aws
// metadata with one directive, then the dimensions' values, then the
// metrics' values, as members of the root object.
func appendLine(buf []byte, ns string, ts int64, dims []dim, points []*point) []byte {
	buf = append(buf, `{"_aws":{"Timestamp":`...)
	buf = strconv.AppendInt(buf, ts, 10)
	buf = append(buf, `,"CloudWatchMetrics":[{"Namespace":`...)
	buf = appendString(buf, ns)
	buf = append(buf, `,"Dimensions":[[`...)
	for i, d := range dims {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendString(buf, d.name)
	}
	buf = append(buf, `]],"Metrics":[`...)
	for i, p := range points {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"Name":`...)
		buf = appendString(buf, p.name)
		buf = append(buf, `,"Unit":`...)
		buf = appendString(buf, p.unit)
		buf = append(buf, '}')
	}
	buf = append(buf, `]}]}`...)
	for _, d := range dims {
		buf = append(buf, ',')
		buf = appendString(buf, d.name)
		buf = append(buf, ':')
		buf = appendString(buf, d.value)
	}
	for _, p := range points {
		buf = append(buf, ',')
		buf = appendString(buf, p.name)
		buf = append(buf, ':')
		buf = appendNumber(buf, p.value)
	}
	return append(buf, "}\n"...)
}

const hex = "0123456789abcdef"

// appendString appends s as a JSON string. Names and values are checked
// or cleaned to printable ASCII before they get here; the escaping keeps
// the line valid JSON whatever they hold.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			buf = append(buf, '\\', c)
			i++
		case c < 0x20:
			buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			i++
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			buf = utf8.AppendRune(buf, r) // invalid UTF-8 becomes U+FFFD
			i += n
		}
	}
	return append(buf, '"')
}

// appendNumber appends a finite v as a JSON number, as encoding/json
// writes a float64.
func appendNumber(buf []byte, v float64) []byte {
	format := byte('f')
	if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(buf, v, format, -1, 64)
}
