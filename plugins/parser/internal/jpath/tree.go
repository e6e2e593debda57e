package jpath

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"

	"github.com/streamalert-go/sa/plugins/parser/internal/jsonx"
)

// search evaluates a general expression with go-jmespath, which needs the
// document as maps, slices and float64s.
func (p *Path) search(doc []byte) ([][]byte, error) {
	t := &tree{objects: map[uintptr][]byte{}, arrays: map[arrayID][]byte{}}
	root := t.decode(doc)
	res, err := p.jp.Search(root)
	if err != nil {
		return nil, fmt.Errorf("json_path %q: %w", p.expr, err)
	}
	if !truthy(res) {
		return nil, nil
	}
	list, ok := res.([]any)
	if !ok {
		list = []any{res}
	}
	out := make([][]byte, len(list))
	for i, v := range list {
		out[i] = t.encode(nil, v)
	}
	if t.err != nil {
		return nil, fmt.Errorf("json_path %q: %w", p.expr, t.err)
	}
	return out, nil
}

// tree remembers where in the input each decoded object and non-empty array
// came from, by identity, so a value the expression selects unchanged is
// written out as the input's own bytes.
type tree struct {
	objects map[uintptr][]byte
	arrays  map[arrayID][]byte
	// err is set when a result holds something JSON cannot express.
	err error
}

// arrayID identifies a slice by its first element and length: a projection
// builds new slices, but a plain field reference returns the decoded one.
type arrayID struct {
	first uintptr
	n     int
}

func idOf(a []any) arrayID {
	return arrayID{first: reflect.ValueOf(a).Pointer(), n: len(a)}
}

// decode builds the tree for v, which jsonx.Check accepted; its depth is
// bounded by jsonx.MaxDepth, so the recursion is too.
func (t *tree) decode(v []byte) any {
	switch jsonx.KindOf(v) {
	case jsonx.Object:
		m := map[string]any{}
		for k, val := range jsonx.Members(v) {
			m[jsonx.Unquote(k)] = t.decode(val)
		}
		if len(m) > 0 {
			t.objects[reflect.ValueOf(m).Pointer()] = v
		}
		return m
	case jsonx.Array:
		a := []any{}
		for e := range jsonx.Elements(v) {
			a = append(a, t.decode(e))
		}
		if len(a) > 0 {
			t.arrays[idOf(a)] = v
		}
		return a
	case jsonx.String:
		return jsonx.Unquote(v)
	case jsonx.Bool:
		return v[0] == 't'
	case jsonx.Null:
		return nil
	}
	f, _ := strconv.ParseFloat(string(v), 64)
	return f
}

// encode appends v as JSON, using the input's bytes wherever v is a decoded
// object or array, and sorted keys for objects JMESPath built.
func (t *tree) encode(dst []byte, v any) []byte {
	switch v := v.(type) {
	case map[string]any:
		if raw, ok := t.objects[reflect.ValueOf(v).Pointer()]; ok {
			return append(dst, raw...)
		}
		dst = append(dst, '{')
		for i, k := range slices.Sorted(maps.Keys(v)) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(jsonx.AppendString(dst, k), ':')
			dst = t.encode(dst, v[k])
		}
		return append(dst, '}')
	case []any:
		if raw, ok := t.arrays[idOf(v)]; ok && len(v) > 0 {
			return append(dst, raw...)
		}
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = t.encode(dst, e)
		}
		return append(dst, ']')
	case string:
		return jsonx.AppendString(dst, v)
	case bool:
		return strconv.AppendBool(dst, v)
	case nil:
		return append(dst, "null"...)
	case float64:
		if b, err := json.Marshal(v); err == nil {
			return append(dst, b...)
		}
	}
	// An expression reference (&expr), or a number JSON cannot spell.
	t.err = fmt.Errorf("result holds %T, which is not JSON data", v)
	return append(dst, "null"...)
}

// truthy is Python's truth value of a decoded result.
func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case float64:
		return v != 0
	case string:
		return v != ""
	case []any:
		return len(v) > 0
	case map[string]any:
		return len(v) > 0
	}
	return true
}
