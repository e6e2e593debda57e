package classify

import (
	"bytes"
	"slices"
	"strings"
	"unsafe"

	"github.com/streamalert-go/sa/host/classify/rawjson"
)

// Normalization v1 is normalized_types.json, which StreamAlert up to 3.2
// applied to every record and 3.5 only reads to check the threat intel
// configuration; its threat intel still expects the values v1 produced. sa
// applies it again, as 3.2 did: every key at any depth of nested objects
// (not inside lists) whose name a normalized type of the record's log
// family lists contributes its value, or each element of a list value,
// and the record gets "streamalert:normalization": {type: [values]}. What
// differs from 3.2, where Python crashed or kept what no one can use:
// values are strings (str() as for conversion), objects and nulls and ""
// are skipped, only types with values are listed, in name order, and the
// key is set (possibly to {}) whenever the family has normalized types.

// v1Value is one value found: its text, and the JSON literal to write
// when the record holds it as a plain string (nil otherwise).
type v1Value struct {
	typ  string
	text []byte
	lit  []byte
}

// appendNormV1 appends the member "streamalert:normalization" of rec to dst
// and its values to norm; found is scratch space, returned for reuse. The
// values of a record share one string, so normalizing costs two
// allocations whatever the number of values.
func appendNormV1(dst []byte, found []v1Value, rec []byte, keys v1Keys, norm *[]Normalized) ([]byte, []v1Value) {
	found = collectV1(found, rec, keys)
	slices.SortFunc(found, func(a, b v1Value) int {
		if c := strings.Compare(a.typ, b.typ); c != 0 {
			return c
		}
		return bytes.Compare(a.text, b.text)
	})
	found = slices.CompactFunc(found, func(a, b v1Value) bool { return a.typ == b.typ && bytes.Equal(a.text, b.text) })
	dst = append(dst, `"`+normKeyV1+`":{`...)
	for i, v := range found {
		switch {
		case i == 0:
		case v.typ == found[i-1].typ:
			dst = appendText(append(dst, ','), v)
			continue
		default:
			dst = append(dst, "],"...)
		}
		dst = rawjson.AppendQuote(dst, v.typ)
		dst = appendText(append(dst, ":["...), v)
	}
	if len(found) > 0 {
		dst = append(dst, ']')
	}
	*norm = appendShared(*norm, found)
	return append(dst, '}'), found
}

func appendText(dst []byte, v v1Value) []byte {
	if v.lit != nil {
		return append(dst, v.lit...)
	}
	return rawjson.AppendQuote(dst, string(v.text))
}

// appendShared adds found to norm, the values slicing one string.
func appendShared(norm []Normalized, found []v1Value) []Normalized {
	size := 0
	for _, v := range found {
		size += len(v.text)
	}
	buf := make([]byte, 0, size)
	for _, v := range found {
		buf = append(buf, v.text...)
	}
	all := unsafe.String(unsafe.SliceData(buf), len(buf)) // buf is never written again
	out := make([]Normalized, len(norm), len(norm)+len(found))
	copy(out, norm)
	off := 0
	for _, v := range found {
		out = append(out, Normalized{Type: v.typ, Value: all[off : off+len(v.text)]})
		off += len(v.text)
	}
	return out
}

// collectV1 walks the validated object obj and its nested objects,
// appending the values found to dst.
func collectV1(dst []v1Value, obj []byte, keys v1Keys) []v1Value {
	rawjson.WalkObjects(obj, func(k, v []byte) {
		types := keys.lookup(k)
		if types == nil {
			return
		}
		if rawjson.KindOf(v) == rawjson.Array {
			for e := range rawjson.Elements(v) {
				dst = addV1(dst, types, e)
			}
			return
		}
		dst = addV1(dst, types, v)
	})
	return dst
}

// v1Keys maps record keys to the normalized types that take their values.
// Most keys of a record are not among them, so a mask of the key lengths
// wanted turns most keys away before a map lookup.
type v1Keys struct {
	types map[string][]string
	lens  uint64 // bit n: some key is n bytes long (n < 63); bit 63: longer
}

func newV1Keys(types map[string][]string) v1Keys {
	k := v1Keys{types: types}
	for name := range types {
		k.lens |= 1 << min(len(name), 63)
	}
	return k
}

// lookup returns the types of the key whose string literal is lit.
func (k v1Keys) lookup(lit []byte) []string {
	inner := lit[1 : len(lit)-1]
	if hasEscape(inner) {
		return k.types[rawjson.Unquote(lit)]
	}
	if k.lens&(1<<min(len(inner), 63)) == 0 {
		return nil
	}
	return k.types[string(inner)]
}

func addV1(dst []v1Value, types []string, v []byte) []v1Value {
	var text, lit []byte
	switch rawjson.KindOf(v) {
	case rawjson.Object, rawjson.Array, rawjson.Null:
		return dst
	case rawjson.String:
		if len(v) == 2 {
			return dst
		}
		if inner := v[1 : len(v)-1]; !hasEscape(inner) {
			text, lit = inner, v
		} else {
			text = []byte(rawjson.Unquote(v))
		}
	case rawjson.Bool:
		text, lit = v, nil
	default:
		text = []byte(pyStr(v))
	}
	for _, t := range types {
		dst = append(dst, v1Value{typ: t, text: text, lit: lit})
	}
	return dst
}

func hasEscape(lit []byte) bool {
	for _, c := range lit {
		if c == '\\' {
			return true
		}
	}
	return false
}
