package emf

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Datum is one metric value CloudWatch extracts from an EMF document: one
// metric of a directive under one of its dimension sets.
type Datum struct {
	Time       time.Time
	Namespace  string
	Name       string
	Unit       string
	Dimensions map[string]string
	// Values holds the metric's value, or its array's values.
	Values []float64
}

// units are the units the specification's schema allows.
var units = unitSet(`Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes
	Terabytes Bits Kilobits Megabits Gigabits Terabits Percent Count Bytes/Second Kilobytes/Second
	Megabytes/Second Gigabytes/Second Terabytes/Second Bits/Second Kilobits/Second Megabits/Second
	Gigabits/Second Terabits/Second Count/Second None`)

func unitSet(list string) map[string]bool {
	m := map[string]bool{}
	for _, u := range strings.Fields(list) {
		m[u] = true
	}
	return m
}

// Parse checks an EMF document against the specification, as CloudWatch
// Logs would before extracting metrics, and returns the metric values it
// holds. It is meant for tests of code that writes EMF.
func Parse(doc []byte) ([]Datum, error) {
	var root map[string]json.RawMessage
	if err := strictUnmarshal(doc, &root); err != nil {
		return nil, fmt.Errorf("emf: not a JSON object: %w", err)
	}
	var meta struct {
		Timestamp         json.RawMessage
		CloudWatchMetrics *[]directive
	}
	if err := strictUnmarshal(root["_aws"], &meta); err != nil || meta.CloudWatchMetrics == nil {
		return nil, errors.New("emf: _aws must be an object with CloudWatchMetrics, an array of directives")
	}
	if meta.Timestamp == nil {
		return nil, errors.New("emf: _aws.Timestamp is missing")
	}
	ms, err := strconv.ParseInt(string(meta.Timestamp), 10, 64)
	if err != nil || ms < 0 {
		return nil, fmt.Errorf("emf: _aws.Timestamp %s is not milliseconds since the epoch", meta.Timestamp)
	}
	var out []Datum
	for i, d := range *meta.CloudWatchMetrics {
		got, err := d.data(root, time.UnixMilli(ms))
		if err != nil {
			return nil, fmt.Errorf("emf: directive %d: %w", i, err)
		}
		out = append(out, got...)
	}
	return out, nil
}

// Scan parses every line of r that is an EMF document (a JSON object with
// an _aws member) and skips the others, such as log lines.
func Scan(r io.Reader) ([]Datum, error) {
	var out []Datum
	s := bufio.NewScanner(r)
	s.Buffer(nil, 1<<20)
	for n := 1; s.Scan(); n++ {
		var probe map[string]json.RawMessage
		if json.Unmarshal(s.Bytes(), &probe) != nil || probe["_aws"] == nil {
			continue
		}
		got, err := Parse(s.Bytes())
		if err != nil {
			return out, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, got...)
	}
	return out, s.Err()
}

// directive is a MetricDirective.
type directive struct {
	Namespace  *string
	Dimensions *[][]string
	Metrics    *[]struct {
		Name              *string
		Unit              *string
		StorageResolution *int
	}
}

func (d directive) data(root map[string]json.RawMessage, t time.Time) ([]Datum, error) {
	if d.Namespace == nil || d.Dimensions == nil || d.Metrics == nil {
		return nil, errors.New("Namespace, Dimensions and Metrics are required")
	}
	if err := checkName("namespace", *d.Namespace); err != nil {
		return nil, err
	}
	if len(*d.Metrics) > MaxMetrics {
		return nil, fmt.Errorf("%d metrics, over the limit of %d", len(*d.Metrics), MaxMetrics)
	}
	if len(*d.Dimensions) == 0 {
		return nil, errors.New("Dimensions must hold at least one dimension set")
	}
	sets, err := dimensionSets(root, *d.Dimensions)
	if err != nil {
		return nil, err
	}
	var out []Datum
	for _, m := range *d.Metrics {
		if m.Name == nil {
			return nil, errors.New("a metric has no Name")
		}
		if err := checkName("metric", *m.Name); err != nil {
			return nil, err
		}
		unit := "None"
		if m.Unit != nil {
			unit = *m.Unit
		}
		if !units[unit] {
			return nil, fmt.Errorf("metric %s: unit %q is not a CloudWatch unit", *m.Name, unit)
		}
		if r := m.StorageResolution; r != nil && *r != 1 && *r != 60 {
			return nil, fmt.Errorf("metric %s: StorageResolution %d is neither 1 nor 60", *m.Name, *r)
		}
		values, err := metricValues(root, *m.Name)
		if err != nil {
			return nil, err
		}
		for _, set := range sets {
			out = append(out, Datum{Time: t, Namespace: *d.Namespace, Name: *m.Name, Unit: unit, Dimensions: set, Values: values})
		}
	}
	return out, nil
}

// dimensionSets resolves each dimension set to its values, which must be
// string members of the root.
func dimensionSets(root map[string]json.RawMessage, sets [][]string) ([]map[string]string, error) {
	out := make([]map[string]string, len(sets))
	for i, set := range sets {
		if len(set) > MaxDimensions {
			return nil, fmt.Errorf("dimension set of %d dimensions, over the limit of %d", len(set), MaxDimensions)
		}
		out[i] = map[string]string{}
		for _, name := range set {
			if err := checkName("dimension", name); err != nil {
				return nil, err
			}
			var v string
			if err := json.Unmarshal(root[name], &v); err != nil || root[name] == nil {
				return nil, fmt.Errorf("dimension %s has no string member", name)
			}
			if cleanValue(v) != v || v == "" {
				return nil, fmt.Errorf("dimension %s: value %q is not 1 to %d printable ASCII characters", name, v, maxDimensionValue)
			}
			out[i][name] = v
		}
	}
	return out, nil
}

// metricValues reads a metric's member: a number, or an array of 1 to
// 100 numbers.
func metricValues(root map[string]json.RawMessage, name string) ([]float64, error) {
	raw := bytes.TrimSpace(root[name])
	if len(raw) == 0 {
		return nil, fmt.Errorf("metric %s has no member", name)
	}
	if raw[0] == '[' {
		var vs []float64
		if err := json.Unmarshal(raw, &vs); err != nil {
			return nil, fmt.Errorf("metric %s: not an array of numbers", name)
		}
		if len(vs) == 0 || len(vs) > MaxValues {
			return nil, fmt.Errorf("metric %s: %d values, not 1 to %d", name, len(vs), MaxValues)
		}
		return vs, nil
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("metric %s: value %s is not a number", name, raw)
	}
	return []float64{v}, nil
}

// strictUnmarshal decodes one JSON value with nothing after it, keeping
// numbers exact.
func strictUnmarshal(data []byte, v any) error {
	if len(data) == 0 {
		return errors.New("empty")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}
