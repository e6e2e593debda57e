package publish

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/streamalert-go/sa/host/alert"
)

// defaultPublication is the default publication's JSON form, keys in the
// order encoding/json writes a map's, so it matches Alert.Default encoded.
type defaultPublication struct {
	Cluster         string              `json:"cluster"`
	Context         json.RawMessage     `json:"context"`
	Created         string              `json:"created"`
	ID              string              `json:"id"`
	LogSource       string              `json:"log_source"`
	LogType         string              `json:"log_type"`
	Outputs         []string            `json:"outputs"`
	Publishers      map[string][]string `json:"publishers"`
	Record          json.RawMessage     `json:"record"`
	RuleDescription string              `json:"rule_description"`
	RuleName        string              `json:"rule_name"`
	SourceEntity    string              `json:"source_entity"`
	SourceService   string              `json:"source_service"`
	Staged          bool                `json:"staged"`
}

// defaultJSON encodes the default publication straight from the alert:
// most outputs get it, and copying the record's bytes costs far less than
// decoding it into a Publication and encoding that. The record keeps its
// key order here.
func defaultJSON(a *alert.Alert) ([]byte, error) {
	rec, err := withoutNormalization(a.Record)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	p := defaultPublication{
		Cluster: a.Cluster, Context: orEmpty(a.Context), Created: a.Created.UTC().Format(alert.TimeLayout),
		ID: a.ID, LogSource: a.LogSource, LogType: a.LogType, Outputs: a.Outputs, Publishers: a.Publishers,
		Record: rec, RuleDescription: a.RuleDescription, RuleName: a.RuleName,
		SourceEntity: a.SourceEntity, SourceService: a.SourceService, Staged: a.Staged,
	}
	if p.Outputs == nil {
		p.Outputs = []string{}
	}
	if p.Publishers == nil {
		p.Publishers = map[string][]string{}
	}
	return json.Marshal(p)
}

// withoutNormalization drops the record's normalization results, keeping
// the other members in order; it reads the record only when it may hold
// them.
func withoutNormalization(rec json.RawMessage) (json.RawMessage, error) {
	rec = orEmpty(rec)
	if !bytes.Contains(rec, []byte(`"`+normalizationKey+`"`)) && !bytes.Contains(rec, []byte(`"`+normalizationKeyV1+`"`)) {
		return rec, nil
	}
	dec := json.NewDecoder(bytes.NewReader(rec))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.WriteByte('{')
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if key, _ := t.(string); isNormalizationKey(key) {
			continue
		}
		if out.Len() > 1 {
			out.WriteByte(',')
		}
		k, _ := json.Marshal(t)
		out.Write(k)
		out.WriteByte(':')
		out.Write(v)
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

func orEmpty(raw json.RawMessage) json.RawMessage {
	if len(bytes.TrimSpace(raw)) == 0 {
		return json.RawMessage("{}")
	}
	return raw
}
