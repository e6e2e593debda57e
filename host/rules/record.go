package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Record is one classified record, the engine's input. The runtime builds
// it from the classifier's output: every field maps one to one.
type Record struct {
	// LogType is the schema type the classifier chose ("cloudtrail:events"):
	// StreamAlert's log_schema_type, an alert's log_source.
	LogType string
	// Parser is the schema's parser ("json"): StreamAlert's data_type, an
	// alert's log_type.
	Parser string
	// Service and Source say where the record arrived: the service
	// (kinesis, s3, sns, streamalert_app, http, file, ...) and the entity
	// within it (stream, bucket, topic, app or ingest token name).
	Service string
	Source  string
	Cluster string
	// Raw is the classified record: one JSON object with the values cast
	// to the schema's types, "streamalert:envelope_keys" when the schema
	// has envelope keys, and the normalization keys
	// "streamalert_normalization" (per-schema, {type: [{"values": [...],
	// "function": ...}]}) and "streamalert:normalization"
	// (normalized_types.json, {type: [values]}) when the log type has them.
	// Matches carry it, with threat intel matches added, as the alert's
	// record.
	Raw json.RawMessage
	// Data is Raw decoded by [DecodeObject]; when nil, Evaluate decodes
	// Raw. A caller that already holds the decoded record passes it here to
	// save the work, with values of the types DecodeObject produces: nil,
	// bool, string, int64, float64, []any and map[string]any.
	Data map[string]any
}

// DecodeObject decodes a JSON object the way rules expect to see it. A
// number written without a fraction or exponent becomes an int64 and any
// other number a float64, as Python's json module makes int and float, so
// a condition can tell 1 from 1.0 as StreamAlert's rules could; an integer
// too large for int64 becomes a float64.
func DecodeObject(raw []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode record: %w", err)
	}
	if d.More() {
		return nil, errors.New("decode record: data after the object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("decode record: want a JSON object, got %s", jsonKind(v))
	}
	fixNumbers(m)
	return m, nil
}

// DecodeValue is DecodeObject for any JSON value.
func DecodeValue(raw []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, errors.New("data after the value")
	}
	return fixNumber(v), nil
}

func fixNumbers(m map[string]any) {
	for k, v := range m {
		m[k] = fixNumber(v)
	}
}

func fixNumber(v any) any {
	switch x := v.(type) {
	case json.Number:
		return number(string(x))
	case map[string]any:
		fixNumbers(x)
	case []any:
		for i, e := range x {
			x[i] = fixNumber(e)
		}
	}
	return v
}

func number(s string) any {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// jsonKind names the JSON type of a decoded value, for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case int64, float64, json.Number:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
