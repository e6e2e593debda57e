package rules

import "slices"

// Normalized values reach rules in two shapes, both under keys of the
// record: StreamAlert 3.5's per-schema normalization,
//
//	"streamalert_normalization": {"command": [{"values": ["ls"], "function": "..."}], "streamalert_record_id": "..."}
//
// and the older normalized_types.json one, which sa's classifier applies
// as StreamAlert 3.2 did,
//
//	"streamalert:normalization": {"sourceAddress": ["1.2.3.4"]}
//
// The helpers read both, so a rule need not know which one its log type
// uses.

// normalizedValues returns the record's values of the normalized type
// typ from both shapes, each once, in the order found: StreamAlert's
// Normalizer.get_values_for_normalized_type. Values that are not strings
// are rendered as Python's str() would; lists and objects inside values
// are skipped (Python could not put them in a set).
func normalizedValues(rec map[string]any, typ string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(v any) {
		switch v.(type) {
		case []any, map[string]any:
			return
		}
		s := pyStr(v)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if v2, ok := rec[keyNormV2].(map[string]any); ok {
		entries, _ := v2[typ].([]any)
		for _, e := range entries {
			em, _ := e.(map[string]any)
			vals, _ := em["values"].([]any)
			for _, v := range vals {
				add(v)
			}
		}
	}
	if v1, ok := rec[keyNormV1].(map[string]any); ok {
		vals, _ := v1[typ].([]any)
		for _, v := range vals {
			add(v)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// carriesAny reports whether rec has a value of one of types in either
// normalization shape: what offers a record to a rule on datatypes.
func carriesAny(rec map[string]any, types []string) bool {
	v2, _ := rec[keyNormV2].(map[string]any)
	v1, _ := rec[keyNormV1].(map[string]any)
	for _, t := range types {
		if l, _ := v2[t].([]any); len(l) > 0 {
			return true
		}
		if l, _ := v1[t].([]any); len(l) > 0 {
			return true
		}
	}
	return false
}

// iocValues returns the values of the record threat intel matched as
// iocType ("ip", "domain", ...), none when it matched nothing.
func iocValues(rec map[string]any, iocType string) []string {
	iocs, _ := rec[keyIOC].(map[string]any)
	out := []string{}
	switch vals := iocs[iocType].(type) {
	case []any:
		for _, v := range vals {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = append(out, vals...)
	}
	return out
}

// NormalizedValues returns the values of the normalized type typ a
// decoded record carries, from both normalization shapes, each once: what
// fetch_values_by_datatype gives rules, for threat intel and other
// consumers outside the engine.
func NormalizedValues(rec map[string]any, typ string) []string { return normalizedValues(rec, typ) }

// NormalizedTypes lists the normalized types a decoded record carries
// values of, in either shape, each once.
func NormalizedTypes(rec map[string]any) []string {
	var out []string
	for _, key := range []string{keyNormV2, keyNormV1} {
		m, _ := rec[key].(map[string]any)
		for t, v := range m {
			if l, _ := v.([]any); len(l) > 0 && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}
