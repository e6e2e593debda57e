// Package testevent reads StreamAlert's test events and runs them through
// delivery decoding and classification, as StreamAlert's `manage.py test
// classifier` does (reference §7.8). Rule tests build on the same events.
//
// A test file is a JSON list of events. Each names the log type it must be
// classified as (log), where it arrives (service and source), and the
// record: data (an object, or a string for csv, kv and syslog logs), or
// override_record, a partial record completed from the schema's defaults.
// The event is delivered as its service would deliver it — a Kinesis record
// (zlib-compressed with compress: true), an SNS message, an app batch, or
// an S3 object named by a notification — decoded by package payload and
// classified; it passes when the first record classified has the expected
// log type.
package testevent

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/streamalert-go/sa/host/classify/rawjson"
)

// Event is one test event.
type Event struct {
	File  string // the file it came from, as given
	Index int    // its position in the file
	// The keys StreamAlert's test framework reads.
	Description  string
	Log          string
	Service      string
	Source       string
	Data         json.RawMessage // nil when the event has override_record
	Override     json.RawMessage // nil when the event has data
	Compress     bool
	ClassifyOnly bool
	TriggerRules []string
	// Keys holds every key of the event as written, for the stages after
	// classification (publisher_tests, test_fixtures, skip_publishers).
	Keys map[string]json.RawMessage
	// Problems are what makes the event unusable; Warnings what
	// StreamAlert only warns about (unknown keys).
	Problems []string
	Warnings []string
}

// Name identifies the event in reports: "file.json[2]".
func (e *Event) Name() string { return fmt.Sprintf("%s[%d]", e.File, e.Index) }

// LoadFile reads the events of one test file. An error means the file is
// not a JSON list of objects; problems with single events are kept in
// their Problems.
func LoadFile(path string) ([]*Event, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	elems, _, err := rawjson.SplitArray(nil, data, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: test files hold a JSON list of events: %w", path, err)
	}
	events := make([]*Event, len(elems))
	for i, raw := range elems {
		events[i] = decodeEvent(path, i, raw)
	}
	return events, nil
}

// known are the event keys StreamAlert's test framework reads.
var known = map[string]bool{
	"data": true, "override_record": true, "description": true, "log": true, "service": true, "source": true,
	"trigger_rules": true, "classify_only": true, "compress": true, "skip_publishers": true,
	"publisher_tests": true, "test_fixtures": true,
}

func decodeEvent(file string, index int, raw []byte) *Event {
	e := &Event{File: file, Index: index, Keys: map[string]json.RawMessage{}}
	members, _, err := rawjson.SplitObject(nil, raw, 0)
	if err != nil {
		e.Problems = append(e.Problems, "event "+err.Error())
		return e
	}
	var unknown []string
	for _, m := range members {
		name := m.Name()
		e.Keys[name] = m.Value
		if !known[name] {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		e.Warnings = append(e.Warnings, fmt.Sprintf("unknown key %q ignored", k))
	}
	e.decodeKeys()
	return e
}

// decodeKeys fills the typed fields from Keys and checks what StreamAlert
// requires of every event.
func (e *Event) decodeKeys() {
	e.decode("description", &e.Description, true)
	e.decode("log", &e.Log, true)
	e.decode("service", &e.Service, true)
	e.decode("source", &e.Source, true)
	e.decode("compress", &e.Compress, false)
	e.decode("classify_only", &e.ClassifyOnly, false)
	e.decode("trigger_rules", &e.TriggerRules, false)
	e.Data, e.Override = e.Keys["data"], e.Keys["override_record"]
	switch {
	case e.Data != nil && e.Override != nil:
		e.problem("give data or override_record, not both")
	case e.Data == nil && e.Override == nil:
		e.problem("missing data (or override_record)")
	case e.Data != nil && !oneOf(rawjson.KindOf(e.Data), rawjson.Object, rawjson.String):
		e.problem("data is %s; want an object or a string", rawjson.KindOf(e.Data))
	case e.Override != nil && rawjson.KindOf(e.Override) != rawjson.Object:
		e.problem("override_record is %s; want an object", rawjson.KindOf(e.Override))
	}
	if _, ok := e.Keys["trigger_rules"]; !ok && !e.ClassifyOnly {
		e.problem("missing trigger_rules (or classify_only: true)")
	}
}

func (e *Event) decode(key string, dst any, required bool) {
	raw, ok := e.Keys[key]
	if !ok {
		if required {
			e.problem("missing %s", key)
		}
		return
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		e.problem("%s: %v", key, err)
	}
}

func (e *Event) problem(format string, args ...any) {
	e.Problems = append(e.Problems, fmt.Sprintf(format, args...))
}

func oneOf(k rawjson.Kind, kinds ...rawjson.Kind) bool {
	for _, w := range kinds {
		if k == w {
			return true
		}
	}
	return false
}
