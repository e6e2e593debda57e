package classify

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/streamalert-go/sa/host/classify/rawjson"
	"github.com/streamalert-go/sa/host/config"
)

// Type conversion is StreamAlert's _convert_type: a value Python finds
// false (null, false, 0, "", [], {}) is left as it is whatever the type;
// "string" is str(), "integer" int(), "float" float(), "boolean" is
// str(v).lower() == "true" and never fails, a list type only requires a
// list, an object type with keys converts its members, and {} takes
// anything. Where Python's str() prints something no other program would
// read as the value, sa prints JSON instead: true is "true", not "True",
// and an object or list is its compact JSON, not a Python repr.

var (
	jsonTrue  = []byte("true")
	jsonFalse = []byte("false")
)

// convert converts the validated value v to the type t; sub is the field
// set of an object type with keys. It returns v itself when nothing
// changes, or a reason when the value cannot be converted. at names the
// value in messages.
func convert(v []byte, t config.Type, sub *fieldSet, at string) ([]byte, string) {
	if !rawjson.Truthy(v) {
		return v, ""
	}
	k := rawjson.KindOf(v)
	switch t.Kind {
	case config.KindString:
		return toString(v, k), ""
	case config.KindInteger:
		return toInteger(v, k, at)
	case config.KindFloat:
		return toFloat(v, k, at)
	case config.KindBoolean:
		return toBoolean(v, k), ""
	case config.KindList:
		if k != rawjson.Array {
			return nil, fmt.Sprintf("%s is %s, not a list", at, k)
		}
		return v, ""
	case config.KindObject:
		if sub == nil {
			return v, "" // {} takes anything
		}
		return convertObject(v, sub, at)
	}
	return nil, fmt.Sprintf("%s: the schema's type is unusable", at)
}

func toString(v []byte, k rawjson.Kind) []byte {
	switch k {
	case rawjson.String:
		return v
	case rawjson.Number:
		return rawjson.AppendQuote(nil, pyStrNumber(v))
	case rawjson.Bool:
		return []byte(`"true"`) // false never gets here
	}
	return rawjson.AppendQuote(nil, string(rawjson.AppendCompact(nil, v)))
}

func toInteger(v []byte, k rawjson.Kind, at string) ([]byte, string) {
	var s string
	ok := false
	switch k {
	case rawjson.Number:
		s, ok = pyIntFromNumber(v)
	case rawjson.String:
		s, ok = pyIntFromString(rawjson.Unquote(v))
	case rawjson.Bool:
		s, ok = "1", true // int(True)
	}
	if !ok {
		return nil, fmt.Sprintf("%s: %s is not an integer", at, shortValue(v))
	}
	if s == string(v) {
		return v, ""
	}
	return []byte(s), ""
}

func toFloat(v []byte, k rawjson.Kind, at string) ([]byte, string) {
	var f float64
	ok := false
	switch k {
	case rawjson.Number:
		var err error
		f, err = strconv.ParseFloat(string(v), 64)
		ok = err == nil || isRangeUnderflow(f, err)
		ok = ok && !math.IsInf(f, 0)
	case rawjson.String:
		f, ok = pyFloatFromString(rawjson.Unquote(v))
	case rawjson.Bool:
		f, ok = 1, true
	}
	if !ok {
		return nil, fmt.Sprintf("%s: %s is not a float", at, shortValue(v))
	}
	return []byte(pyFloatRepr(f)), ""
}

func toBoolean(v []byte, k rawjson.Kind) []byte {
	switch k {
	case rawjson.Bool:
		return v
	case rawjson.String:
		if strings.ToLower(rawjson.Unquote(v)) == "true" {
			return jsonTrue
		}
	}
	return jsonFalse
}

// convertObject converts the members of an object with keys; the key
// check has made sure it holds exactly sub's keys.
func convertObject(v []byte, sub *fieldSet, at string) ([]byte, string) {
	var members []rawjson.Member
	for k, val := range rawjson.Members(v) {
		members = append(members, rawjson.Member{Key: k, Value: val})
	}
	var lv level
	lv.match(sub, members)
	changed := false
	for i, f := range lv.field {
		if f < 0 {
			changed = changed || f == dropped
			continue
		}
		out, why := convert(members[i].Value, sub.fields[f].Type, sub.sub[f], joinPath(at, sub.fields[f].Name))
		if why != "" {
			return nil, why
		}
		changed = changed || !same(out, members[i].Value)
		members[i].Value = out
	}
	if !changed {
		return v, ""
	}
	return appendObject(make([]byte, 0, len(v)), &lv), ""
}

// appendObject writes the matched members of lv as a compact object,
// leaving out dropped duplicates.
func appendObject(dst []byte, lv *level) []byte {
	dst = append(dst, '{')
	first := true
	for i, m := range lv.members {
		if lv.field[i] == dropped {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, m.Key...)
		dst = append(dst, ':')
		dst = rawjson.AppendCompact(dst, m.Value)
	}
	return append(dst, '}')
}

// same reports whether a and b are the same bytes in memory.
func same(a, b []byte) bool { return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0]) }

// shortValue quotes a value for a message, cut to a readable length.
func shortValue(v []byte) string {
	const n = 40
	if len(v) <= n {
		return string(v)
	}
	return clip(string(v), n)
}
