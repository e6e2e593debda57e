package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// alert is the part of the alert JSON an incident is built from.
type alert struct {
	RuleName        string `json:"rule_name"`
	RuleDescription string `json:"rule_description"`
}

// incident is the body of POST /incident.
type incident struct {
	Type                string         `json:"type"`
	Name                string         `json:"name"`
	Owner               string         `json:"owner"`
	Playbook            string         `json:"playbook"`
	Severity            float64        `json:"severity"`
	Labels              []label        `json:"labels"`
	CustomFields        map[string]any `json:"customFields"`
	Details             string         `json:"details"`
	CreateInvestigation bool           `json:"createInvestigation"`
}

// label is one flattened publication field.
type label struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// severities maps "@demisto.severity" to Demisto's scale; anything else
// is 0, unknown.
var severities = map[string]float64{
	"info": 0.5, "informational": 0.5, "low": 1, "med": 2, "medium": 2, "high": 3, "critical": 4,
}

// newIncident builds the incident StreamAlert's DemistoRequestAssembler
// builds from the "@demisto.*" publication fields: labels are the label
// data (the whole publication unless "@demisto.label_data" is set)
// flattened to "a.b[0].c" paths and sorted; investigation is started so
// playbooks run.
func newIncident(alertJSON, pubJSON []byte) (incident, error) {
	var a alert
	if err := json.Unmarshal(alertJSON, &a); err != nil {
		return incident{}, fmt.Errorf("decode alert: %w", err)
	}
	pub := map[string]any{}
	if p := bytes.TrimSpace(pubJSON); len(p) > 0 && !bytes.Equal(p, []byte("null")) {
		dec := json.NewDecoder(bytes.NewReader(p))
		dec.UseNumber()
		if err := dec.Decode(&pub); err != nil {
			return incident{}, fmt.Errorf("decode publication: %w", err)
		}
	}
	text := func(key, def string) string {
		if v, ok := pub[key]; ok && v != nil {
			return pyStr(v)
		}
		return def
	}
	sev, _ := pub["@demisto.severity"].(string)
	var data any = pub
	if v, ok := pub["@demisto.label_data"]; ok && v != nil {
		data = v
	}
	in := incident{
		Type:                text("@demisto.incident_type", "Unclassified"),
		Name:                text("@demisto.incident_name", a.RuleName),
		Owner:               text("@demisto.owner", "StreamAlert"),
		Playbook:            text("@demisto.playbook", "Unknown"),
		Severity:            severities[strings.ToLower(sev)],
		Labels:              []label{},
		CustomFields:        map[string]any{},
		Details:             text("@demisto.details", a.RuleDescription),
		CreateInvestigation: true,
	}
	flatten(data, "", &in.Labels)
	sort.SliceStable(in.Labels, func(i, j int) bool { return in.Labels[i].Type < in.Labels[j].Type })
	return in, nil
}

// flatten appends a label per scalar in v, named by its path. Empty
// objects and lists add nothing, as in StreamAlert.
func flatten(v any, path string, out *[]label) {
	switch x := v.(type) {
	case []any:
		for i, e := range x {
			flatten(e, fmt.Sprintf("%s[%d]", path, i), out)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			flatten(x[k], p, out)
		}
	default:
		*out = append(*out, label{Type: path, Value: pyStr(x)})
	}
}

// pyStr renders a JSON value as Python's str() did in StreamAlert, since
// Demisto refuses labels that are not strings: True, False, None, numbers
// as written.
func pyStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	b, _ := json.Marshal(v) // objects and lists as JSON, not Python reprs
	return string(b)
}
