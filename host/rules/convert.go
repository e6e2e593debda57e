package rules

import (
	"fmt"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
)

// native turns a CEL value into the JSON-shaped Go value the helpers
// work on. Records and their parts are already Go maps and lists inside
// their CEL wrappers and come back without copying; values built by an
// expression (list literals, say) are converted.
func native(v ref.Val) any {
	switch x := v.(type) {
	case types.String:
		return string(x)
	case types.Int:
		return int64(x)
	case types.Double:
		return float64(x)
	case types.Bool:
		return bool(x)
	case types.Null:
		return nil
	case types.Uint:
		if x <= 1<<63-1 {
			return int64(x)
		}
		return float64(x)
	}
	switch x := v.Value().(type) {
	case map[string]any, []any, nil:
		return x
	}
	if l, ok := v.(traits.Lister); ok {
		out := []any{}
		for it := l.Iterator(); it.HasNext() == types.True; {
			out = append(out, native(it.Next()))
		}
		return out
	}
	if m, ok := v.(traits.Mapper); ok {
		out := map[string]any{}
		for it := m.Iterator(); it.HasNext() == types.True; {
			k := it.Next()
			if ks, ok := k.(types.String); ok {
				out[string(ks)] = native(m.Get(k))
			}
		}
		return out
	}
	return v.Value()
}

// strings returns the elements of a list of strings; any other element is
// an error naming the function.
func stringList(fn string, v ref.Val) ([]string, error) {
	l, ok := v.(traits.Lister)
	if !ok {
		return nil, fmt.Errorf("%s: want a list of strings, got %s", fn, v.Type().TypeName())
	}
	out := make([]string, 0, 4)
	for it := l.Iterator(); it.HasNext() == types.True; {
		e := it.Next()
		s, ok := e.(types.String)
		if !ok {
			return nil, fmt.Errorf("%s: want a list of strings, found %s", fn, e.Type().TypeName())
		}
		out = append(out, string(s))
	}
	return out, nil
}

// celValue turns a helper's Go result into a CEL value.
func celValue(v any) ref.Val { return types.DefaultTypeAdapter.NativeToValue(v) }

// celResult is celValue for results that may have failed.
func celResult(v any, err error) ref.Val {
	if err != nil {
		return types.WrapErr(err)
	}
	return celValue(v)
}
