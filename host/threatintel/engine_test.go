package threatintel

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/streamalert-go/sa/host/rules"
)

// TestEngineAttachesMatches runs a rule testing ioc_values through the
// engine: the match must fire and its record carry the annotation.
func TestEngineAttachesMatches(t *testing.T) {
	s := newStore(t, Config{NormalizedTypes: map[string][]string{IP: {"sourceAddress"}}})
	s.Add(IP, "1.2.3.4")
	e, err := rules.New(rules.Options{
		Rules: []rules.File{{Name: "r.yaml", Data: []byte(`
rules:
  - name: known_bad_ip
    condition: size(ioc_values(record, "ip")) > 0
`)}},
		ThreatIntel: NewLive(s),
		Logger:      slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	raw := `{"ipaddr":"1.2.3.4","streamalert:normalization":{"sourceAddress":["1.2.3.4"]}}`
	ms, err := e.Evaluate(context.Background(), rules.Record{LogType: "onelogin:events", Raw: json.RawMessage(raw)})
	if err != nil || len(ms) != 1 {
		t.Fatalf("matches %v, %v", ms, err)
	}
	var rec map[string]any
	if err := json.Unmarshal(ms[0].Record, &rec); err != nil {
		t.Fatal(err)
	}
	if iocs, _ := rec["streamalert:ioc"].(map[string]any); len(iocs) != 1 {
		t.Errorf("record = %s", ms[0].Record)
	}
	clean := `{"streamalert:normalization":{"sourceAddress":["5.5.5.5"]}}`
	if ms, _ := e.Evaluate(context.Background(), rules.Record{Raw: json.RawMessage(clean)}); len(ms) != 0 {
		t.Errorf("a clean record matched")
	}
}
