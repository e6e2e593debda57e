package parsertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"strings"
)

// Compare reports how a candidate differs from the record StreamAlert
// produced (golden), after modelling the host's remaining work: type
// conversion of record and envelope as StreamAlert's _convert_type does it,
// and the keys it adds (optional keys, the envelope, normalization). schema
// and options are the log schema's objects.
func Compare(schema, options, record, envelope, golden []byte) []string {
	types := decode(schema).(map[string]any)
	opts, _ := decode(options).(map[string]any)
	optional := stringSet(opts["optional_top_level_keys"])
	rec, _ := decode(record).(map[string]any)
	want, _ := decode(golden).(map[string]any)
	var diffs []string
	for k, v := range rec {
		typ, ok := types[k]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("key %q is not in the schema", k))
			continue
		}
		if got, w := norm(Cast(v, typ)), norm(want[k]); !reflect.DeepEqual(got, w) {
			diffs = append(diffs, fmt.Sprintf("key %q: got %v after conversion, StreamAlert has %v", k, got, w))
		}
	}
	for k := range want {
		if _, ok := rec[k]; !ok && !optional[k] && k != "streamalert_normalization" && k != "streamalert:envelope_keys" {
			diffs = append(diffs, fmt.Sprintf("key %q missing", k))
		}
	}
	wantEnv, hasEnv := want["streamalert:envelope_keys"].(map[string]any)
	if !hasEnv {
		return diffs
	}
	envTypes, _ := opts["envelope_keys"].(map[string]any)
	env, _ := decode(envelope).(map[string]any)
	optEnv := stringSet(opts["optional_envelope_keys"])
	for k, w := range wantEnv {
		v, ok := env[k]
		if !ok {
			if !optEnv[k] {
				diffs = append(diffs, fmt.Sprintf("envelope key %q missing", k))
			}
			continue
		}
		if got, w := norm(Cast(v, envTypes[k])), norm(w); !reflect.DeepEqual(got, w) {
			diffs = append(diffs, fmt.Sprintf("envelope key %q: got %v after conversion, StreamAlert has %v", k, got, w))
		}
	}
	return diffs
}

func decode(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil
	}
	return v
}

func stringSet(v any) map[string]bool {
	set := map[string]bool{}
	list, _ := v.([]any)
	for _, s := range list {
		if s, ok := s.(string); ok {
			set[s] = true
		}
	}
	return set
}

// Cast converts v as StreamAlert's _convert_type would for the schema type
// typ, closely enough to compare with its output: values Python finds false
// are left alone, "string" stringifies, "integer" and "float" parse,
// "boolean" compares with "true", nested schemas recurse.
func Cast(v, typ any) any {
	if !truthy(v) {
		return v
	}
	switch typ := typ.(type) {
	case string:
		switch typ {
		case "string":
			return pyStr(v)
		case "integer":
			return pyInt(v)
		case "float":
			f, _ := strconv.ParseFloat(strings.TrimSpace(pyStr(v)), 64)
			return f
		case "boolean":
			return strings.ToLower(pyStr(v)) == "true"
		}
	case map[string]any:
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		out := map[string]any{}
		for k, val := range m {
			out[k] = val
			if t, ok := typ[k]; ok {
				out[k] = Cast(val, t)
			}
		}
		return out
	}
	return v
}

func pyStr(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		if v {
			return "True"
		}
		return "False"
	}
	return fmt.Sprint(v) // a Python repr would differ; no corpus value needs it
}

func pyInt(v any) any {
	if n, ok := new(big.Int).SetString(strings.TrimSpace(pyStr(v)), 10); ok {
		return json.Number(n.String())
	}
	if f, ok := v.(json.Number); ok { // int() truncates a float
		bf, _, err := big.ParseFloat(f.String(), 10, 200, big.ToZero)
		if err == nil {
			i, _ := bf.Int(nil)
			return json.Number(i.String())
		}
	}
	return v
}

func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case string:
		return v != ""
	case json.Number:
		f, _ := v.Float64()
		return f != 0
	case []any:
		return len(v) > 0
	case map[string]any:
		return len(v) > 0
	}
	return true
}

// norm makes numbers comparable: integers by value, others as float64.
func norm(v any) any {
	switch v := v.(type) {
	case json.Number:
		if n, ok := new(big.Int).SetString(v.String(), 10); ok {
			return "int:" + n.String()
		}
		f, _ := v.Float64()
		return f
	case map[string]any:
		out := map[string]any{}
		for k, val := range v {
			out[k] = norm(val)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, val := range v {
			out[i] = norm(val)
		}
		return out
	}
	return v
}
