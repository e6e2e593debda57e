package publish

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/streamalert-go/sa/host/alert"
)

// Publication is a publication in progress: a decoded JSON object.
type Publication = map[string]any

// Func is a publisher: it returns the next publication from the alert and
// the previous one. It may change pub, which is its own deep copy, but not
// anything reachable from a; values it takes from a must be copied if they
// are changed later in the chain, which DeepCopy between steps ensures.
type Func func(a *Alert, pub Publication) (Publication, error)

// The record members holding normalization results: StreamAlert's
// Normalizer.NORMALIZATION_KEY, and the normalized_types.json results sa
// adds as StreamAlert 3.2 did. Rules read both; outputs get neither, so
// their payloads are StreamAlert 3.5's.
const (
	normalizationKey   = "streamalert_normalization"
	normalizationKeyV1 = "streamalert:normalization"
)

// isNormalizationKey reports whether k holds normalization results.
func isNormalizationKey(k string) bool { return k == normalizationKey || k == normalizationKeyV1 }

// Alert is what publishers read of an alert: StreamAlert's Alert
// attributes, decoded from the alert's JSON form.
type Alert struct {
	ID              string
	RuleName        string
	RuleDescription string
	Cluster         string
	LogSource       string
	LogType         string
	SourceEntity    string
	SourceService   string
	Created         time.Time
	Staged          bool
	Outputs         []string
	Publishers      map[string][]string
	// Record is the record without its normalization results; Context
	// the rule's context. Both are decoded JSON objects, never nil.
	Record  map[string]any
	Context map[string]any
}

// view decodes a for publishers.
func view(a *alert.Alert) (*Alert, error) {
	rec, err := decodeObject(a.Record)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	delete(rec, normalizationKey)
	delete(rec, normalizationKeyV1)
	ctx, err := decodeObject(a.Context)
	if err != nil {
		return nil, fmt.Errorf("context: %w", err)
	}
	return &Alert{
		ID: a.ID, RuleName: a.RuleName, RuleDescription: a.RuleDescription, Cluster: a.Cluster,
		LogSource: a.LogSource, LogType: a.LogType, SourceEntity: a.SourceEntity, SourceService: a.SourceService,
		Created: a.Created, Staged: a.Staged, Outputs: a.Outputs, Publishers: a.Publishers,
		Record: rec, Context: ctx,
	}, nil
}

// Default is StreamAlert's output_dict, the default publication.
func (a *Alert) Default() Publication {
	outputs := make([]any, len(a.Outputs))
	for i, o := range a.Outputs {
		outputs[i] = o
	}
	pubs := map[string]any{}
	for k, names := range a.Publishers {
		l := make([]any, len(names))
		for i, n := range names {
			l[i] = n
		}
		pubs[k] = l
	}
	return Publication{
		"cluster": a.Cluster, "context": DeepCopy(a.Context), "created": a.Created.UTC().Format(alert.TimeLayout),
		"id": a.ID, "log_source": a.LogSource, "log_type": a.LogType, "outputs": outputs,
		"publishers": pubs, "record": DeepCopy(a.Record), "rule_description": a.RuleDescription,
		"rule_name": a.RuleName, "source_entity": a.SourceEntity, "source_service": a.SourceService,
		"staged": a.Staged,
	}
}

// decodeObject decodes a JSON object keeping numbers as written; empty
// input is an empty object.
func decodeObject(raw json.RawMessage) (map[string]any, error) {
	out := map[string]any{}
	if len(bytes.TrimSpace(raw)) == 0 {
		return out, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	if out == nil { // the JSON was null
		out = map[string]any{}
	}
	return out, nil
}

// DeepCopy copies a decoded JSON value, as Python's deepcopy does between
// the steps of a chain, so no publisher sees another's changes.
func DeepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = DeepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = DeepCopy(e)
		}
		return out
	}
	return v
}
