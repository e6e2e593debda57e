package rules

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The data helpers work on decoded records (see DecodeObject) with
// Python's semantics, because StreamAlert's rules were written against
// them. Go maps have no order, so where Python follows a dict's insertion
// order these follow the keys' sorted order: the same answer on every run,
// though not always the one Python gives when a key occurs twice at the
// same depth.

// truthy is Python's truth test on a JSON value.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// pyEqual is Python's == on JSON values: numbers (bools included) compare
// by value across int and float; containers compare element by element.
func pyEqual(a, b any) bool {
	if x, ok := pyNumber(a); ok {
		y, ok := pyNumber(b)
		return ok && x == y
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		return ok && slices.EqualFunc(x, y, pyEqual)
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && maps.EqualFunc(x, y, pyEqual)
	}
	return false
}

func pyNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// pyStr is Python's str() of a JSON scalar, as StreamAlert's
// normalization stringifies values.
func pyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return pyFloat(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// pyFloat is Python's repr of a float: the shortest digits that read
// back the same, in positional notation unless the exponent is below -4 or
// 16 and over.
func pyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return e
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// walkLeaves calls leaf on every value that is neither a list nor an
// object, depth first in order, stopping at the first true or error:
// StreamAlert's recursive data_has_value helpers.
func walkLeaves(data any, leaf func(any) (bool, error)) (bool, error) {
	switch x := data.(type) {
	case []any:
		for _, e := range x {
			if ok, err := walkLeaves(e, leaf); ok || err != nil {
				return ok, err
			}
		}
		return false, nil
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if ok, err := walkLeaves(x[k], leaf); ok || err != nil {
				return ok, err
			}
		}
		return false, nil
	}
	return leaf(data)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func dataHasValue(data, want any) (bool, error) {
	return walkLeaves(data, func(v any) (bool, error) { return pyEqual(v, want), nil })
}

func dataHasSubstring(data any, sub string) (bool, error) {
	return walkLeaves(data, func(v any) (bool, error) {
		s, ok := v.(string)
		return ok && strings.Contains(s, sub), nil
	})
}

func dataHasGlob(data any, patterns []string) (bool, error) {
	return walkLeaves(data, func(v any) (bool, error) {
		return truthy(v) && anyString(v, patterns, func(s, p string) bool { return glob(p, s) }), nil
	})
}

// dataHasSubstringFromList errors on a true non-string value, as Python's
// `needle in 5` does, so a rule that reaches one before a match fails.
func dataHasSubstringFromList(data any, needles []string) (bool, error) {
	return walkLeaves(data, func(v any) (bool, error) {
		if !truthy(v) {
			return false, nil
		}
		s, ok := v.(string)
		if !ok {
			return false, fmt.Errorf("data_has_value_from_substring_list: cannot search %s for a substring", jsonKind(v))
		}
		return slices.ContainsFunc(needles, func(n string) bool { return strings.Contains(s, n) }), nil
	})
}

// getKeys collects the values of key at any depth, breadth first,
// skipping the normalization subtree; max < 0 means all. A string has no
// keys; null, numbers and booleans are an error, as in Python.
func getKeys(data any, key string, max int) ([]any, error) {
	switch data.(type) {
	case map[string]any, []any:
	case string:
		return []any{}, nil
	default:
		return nil, fmt.Errorf("get_keys: cannot search %s", jsonKind(data))
	}
	out := []any{}
	queue := []any{data}
	for len(queue) > 0 && len(out) != max {
		obj := queue[0]
		queue = queue[1:]
		switch x := obj.(type) {
		case map[string]any:
			if v, ok := x[key]; ok {
				if out = append(out, v); len(out) == max {
					break
				}
			}
			for _, k := range sortedKeys(x) {
				if k != keyNormV2 && isContainer(x[k]) {
					queue = append(queue, x[k])
				}
			}
		case []any:
			for _, e := range x {
				if isContainer(e) {
					queue = append(queue, e)
				}
			}
		}
	}
	return out, nil
}

// isContainer reports a non-empty list or object: what get_keys descends
// into.
func isContainer(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		return len(x) > 0
	case []any:
		return len(x) > 0
	}
	return false
}

// safeJSON decodes s, or returns an empty object when s is not JSON. A
// value that is not a string is an error, as json.loads(None) is.
func safeJSON(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("safe_json_loads: want a string, got %s", jsonKind(v))
	}
	out, err := DecodeValue([]byte(s))
	if err != nil {
		return map[string]any{}, nil
	}
	return out, nil
}

// pyInt is Python's int() of a JSON value: integers as they are, floats
// truncated, booleans 0 or 1, strings parsed as base-10 integers with
// optional sign and surrounding whitespace.
func pyInt(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) >= 1<<63 {
			return 0, fmt.Errorf("int(): cannot convert %v", x)
		}
		return int64(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			return n, nil
		}
		return 0, fmt.Errorf("int(): invalid literal %q", x)
	}
	return 0, errors.New("int(): cannot convert " + jsonKind(v))
}
