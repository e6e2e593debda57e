package ruletest

import (
	"encoding/json"
	"fmt"

	"github.com/streamalert-go/sa/host/rules"
	"github.com/streamalert-go/sa/host/threatintel"
)

// fixtures is the test_fixtures key of an event.
type fixtures struct {
	LookupTables map[string]map[string]json.RawMessage `json:"lookup_tables"`
	ThreatIntel  []threatintel.IOC                     `json:"threat_intel"`
}

// tables serves the current event's lookup table fixtures; the runner
// runs one event at a time and sets them before each.
type tables struct {
	current map[string]map[string]any
}

// Get implements rules.Lookup.
func (t *tables) Get(table, key string) (any, bool) {
	v, ok := t.current[table][key]
	return v, ok
}

func (t *tables) set(f fixtures) error {
	t.current = map[string]map[string]any{}
	for name, kv := range f.LookupTables {
		t.current[name] = map[string]any{}
		for k, raw := range kv {
			v, err := rules.DecodeValue(raw)
			if err != nil {
				return fmt.Errorf("test_fixtures.lookup_tables.%s.%s: %w", name, k, err)
			}
			t.current[name][k] = v
		}
	}
	return nil
}

func decodeFixtures(raw json.RawMessage) (fixtures, error) {
	var f fixtures
	if raw == nil {
		return f, nil
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return f, fmt.Errorf("test_fixtures: %w", err)
	}
	return f, nil
}

var _ rules.Lookup = (*tables)(nil)
