package streamquery

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// dateHour is StreamAlert's '%Y-%m-%d-%H', the dt partition of the
// historical tables.
const dateHour = "2006-01-02-15"

// generators are the built-in query parameters, computed from the run's
// clock in UTC, as StreamAlert's QueryParameterGenerator.
var generators = map[string]func(clock time.Time) string{
	"utcdatehour_minus7day":   hourOf(-7 * 24 * time.Hour),
	"utcdatehour_minus2day":   hourOf(-2 * 24 * time.Hour),
	"utcdatehour_minus1day":   hourOf(-24 * time.Hour),
	"utcdatehour_minus2hour":  hourOf(-2 * time.Hour),
	"utcdatehour_minus1hour":  hourOf(-time.Hour),
	"utcdatehour":             hourOf(0),
	"utctimestamp_minus1hour": epochOf(-time.Hour),
	"utctimestamp":            epochOf(0),
	// utcisotime is, despite its name, epoch seconds in StreamAlert;
	// queries written for it expect that, so sa keeps it.
	"utcisotime": epochOf(0),
}

func hourOf(offset time.Duration) func(time.Time) string {
	return func(clock time.Time) string { return clock.Add(offset).UTC().Format(dateHour) }
}

// epochOf is Python's str(round(t.timestamp())): whole seconds, halves
// rounded to even.
func epochOf(offset time.Duration) func(time.Time) string {
	return func(clock time.Time) string {
		t := clock.Add(offset)
		secs := float64(t.Unix()) + float64(t.Nanosecond())/1e9
		return strconv.FormatInt(int64(math.RoundToEven(secs)), 10)
	}
}

// ParamNames lists the built-in parameters, sorted.
func ParamNames() []string {
	out := make([]string, 0, len(generators))
	for k := range generators {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Render returns the query's text with its parameters filled in from
// clock, and the parameters' values. ParseQuery has checked that every
// placeholder names a parameter of the query.
func (q *Query) Render(clock time.Time) (string, map[string]string) {
	values := make(map[string]string, len(q.Params))
	for _, p := range q.Params {
		values[p] = generators[p](clock)
	}
	var b strings.Builder
	for _, s := range scanFormat(q.Query) {
		if s.field == "" {
			b.WriteString(s.text)
		} else {
			b.WriteString(values[s.field])
		}
	}
	return b.String(), values
}

// span is a piece of a format string: literal text, or a placeholder's
// field name; err is set on a malformed placeholder.
type span struct {
	text  string
	field string
	off   int
	err   string
}

// scanFormat splits s as Python's str.format reads it: {name} is a
// placeholder, {{ and }} are literal braces. Only plain names are
// allowed; format specs, conversions, indexes and attributes are
// reported, since a query pack has no use for them.
func scanFormat(s string) []span {
	var out []span
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, span{text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{', c == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte(c)
			i++
		case c == '}':
			flush()
			out = append(out, span{off: i, err: "single '}': write }} for a literal brace"})
		case c == '{':
			flush()
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				out = append(out, span{off: i, err: "'{' without a closing '}': write {{ for a literal brace"})
				return out
			}
			name := s[i+1 : i+end]
			sp := span{field: name, off: i}
			if !identifier(name) {
				sp.err = "placeholder {" + name + "}: want {name} of a parameter"
			}
			out = append(out, sp)
			i += end
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return out
}

func identifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
