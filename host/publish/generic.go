package publish

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The generic publishers (publishers/community/generic.py).

// addRecord puts the alert's record in the publication.
func addRecord(a *Alert, pub Publication) (Publication, error) {
	pub["record"] = DeepCopy(a.Record)
	return pub, nil
}

// blank erases the publication.
func blank(*Alert, Publication) (Publication, error) { return Publication{}, nil }

// removeInternalFields drops the default publication's fields that only
// matter inside sa.
func removeInternalFields(_ *Alert, pub Publication) (Publication, error) {
	delete(pub, "staged")
	delete(pub, "publishers")
	delete(pub, "outputs")
	return pub, nil
}

// removeFields deletes, at any depth, the object keys matching any regular
// expression of the context's "remove_fields" list (searched, not
// anchored: use ^ and $ for exact names).
func removeFields(a *Alert, pub Publication) (Publication, error) {
	patterns, err := contextStrings(a, "remove_fields")
	if err != nil {
		return nil, err
	}
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("context remove_fields: %w", err)
		}
		deleteKeys(pub, re)
	}
	return pub, nil
}

// removeNormalization deletes the normalization results, wherever a key
// contains "streamalert_normalization".
func removeNormalization(_ *Alert, pub Publication) (Publication, error) {
	deleteKeys(pub, regexp.MustCompile(regexp.QuoteMeta(normalizationKey)))
	return pub, nil
}

// deleteKeys walks v breadth first, as _delete_dictionary_fields does,
// removing matching keys before looking into what remains.
func deleteKeys(v any, re *regexp.Regexp) {
	queue := []any{v}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		switch x := cur.(type) {
		case map[string]any:
			for k := range x {
				if re.MatchString(k) {
					delete(x, k)
				}
			}
			for _, k := range sortedKeys(x) {
				queue = append(queue, x[k])
			}
		case []any:
			queue = append(queue, x...)
		}
	}
}

// enumerateFields flattens the publication to one level, keys being paths
// like "a.b[0].c"; empty objects and lists leave nothing.
func enumerateFields(_ *Alert, pub Publication) (Publication, error) {
	out := Publication{}
	flatten(pub, "", out)
	return out, nil
}

func flatten(v any, path string, out Publication) {
	switch x := v.(type) {
	case []any:
		for i, e := range x {
			flatten(e, path+"["+strconv.Itoa(i)+"]", out)
		}
	case map[string]any:
		for k, e := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			flatten(e, p, out)
		}
	default:
		out[path] = x
	}
}

// populateFields makes a new publication of the context's
// "populate_fields": each name maps to the list of every value found
// under that key at any depth (StreamAlert's get_keys).
func populateFields(a *Alert, pub Publication) (Publication, error) {
	names, err := contextStrings(a, "populate_fields")
	if err != nil {
		return nil, err
	}
	out := Publication{}
	for _, n := range names {
		out[n] = getKeys(pub, n)
	}
	return out, nil
}

// getKeys is StreamAlert's get_keys: breadth first through objects and
// lists, every value of key, never looking into normalization results or
// empty containers.
func getKeys(v any, key string) []any {
	found := []any{}
	queue := []any{v}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		switch x := cur.(type) {
		case map[string]any:
			if e, ok := x[key]; ok {
				found = append(found, DeepCopy(e))
			}
			for _, k := range sortedKeys(x) {
				if !isNormalizationKey(k) && nonEmptyContainer(x[k]) {
					queue = append(queue, x[k])
				}
			}
		case []any:
			for _, e := range x {
				if nonEmptyContainer(e) {
					queue = append(queue, e)
				}
			}
		}
	}
	return found
}

func nonEmptyContainer(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		return len(x) > 0
	case []any:
		return len(x) > 0
	}
	return false
}

// stringifyArrays returns the StringifyArrays publisher for a delimiter:
// every list of scalars inside an object becomes its elements' str()
// joined by delim. Lists directly inside lists are left alone, as the
// original has no reference back to replace them through.
func stringifyArrays(delim string) Func {
	return func(_ *Alert, pub Publication) (Publication, error) {
		queue := []any{pub}
		for len(queue) > 0 {
			cur := queue[0]
			queue = queue[1:]
			switch x := cur.(type) {
			case map[string]any:
				for _, k := range sortedKeys(x) {
					if l, ok := x[k].([]any); ok && scalars(l) {
						x[k] = joinStr(l, delim)
					} else {
						queue = append(queue, x[k])
					}
				}
			case []any:
				queue = append(queue, x...)
			}
		}
		return pub, nil
	}
}

func scalars(l []any) bool {
	for _, e := range l {
		switch e.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}

func joinStr(l []any, delim string) string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = pyStr(e)
	}
	return strings.Join(parts, delim)
}

// contextStrings reads a list of strings from the alert's context; a
// missing key is an empty list.
func contextStrings(a *Alert, key string) ([]string, error) {
	v, ok := a.Context[key]
	if !ok || v == nil {
		return nil, nil
	}
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("context %s is not a list", key)
	}
	out := make([]string, len(l))
	for i, e := range l {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("context %s[%d] is not a string", key, i)
		}
		out[i] = s
	}
	return out, nil
}
