package pdevent

import (
	"encoding/json"
	"strings"
	"testing"
)

// testAlert is a typical alert as the host sends it.
const testAlert = `{"id":"alert-42","rule_name":"root_login","rule_description":"Root logged in",` +
	`"log_source":"osquery:differential","record":{"user":"root","host":"db1"}}`

func TestNewEvent(t *testing.T) {
	tests := []struct {
		name  string
		alert string
		pub   string
		want  string
	}{
		{
			name: "defaults", alert: testAlert,
			want: `{"routing_key":"K","event_action":"trigger","dedup_key":"soc:alert-42",` +
				`"payload":{"summary":"StreamAlert Rule Triggered - root_login","source":"osquery:differential",` +
				`"severity":"critical","custom_details":{"description":"Root logged in","record":{"user":"root","host":"db1"}}},` +
				`"client":"StreamAlert"}`,
		},
		{
			name: "publication fields", alert: testAlert,
			pub: `{"@pagerduty-v2.summary":"root on db1","@pagerduty-v2.severity":"Warning",` +
				`"@pagerduty-v2.custom_details":{"a":[1,2]},"@pagerduty-v2.client_url":"https://sa.example.com/a/42",` +
				`"@pagerduty-v2.component":"db","@pagerduty-v2.group":"prod","@pagerduty-v2.class":"login",` +
				`"@pagerduty-v2.images":[{"src":"https://i.example.com/x.png","href":"https://example.com","alt":"X"},{"href":"no-src"},"junk"],` +
				`"@pagerduty-v2.links":[{"href":"https://runbook.example.com","text":"Runbook"},{"text":"no href"},{"href":"https://b.example.com"}],` +
				`"record":{"ignored":true}}`,
			want: `{"routing_key":"K","event_action":"trigger","dedup_key":"soc:alert-42",` +
				`"payload":{"summary":"root on db1","source":"osquery:differential","severity":"warning",` +
				`"component":"db","group":"prod","class":"login","custom_details":{"a":[1,2]}},` +
				`"client":"StreamAlert","client_url":"https://sa.example.com/a/42",` +
				`"images":[{"src":"https://i.example.com/x.png","href":"https://example.com","alt":"X"}],` +
				`"links":[{"href":"https://runbook.example.com","text":"Runbook"},{"href":"https://b.example.com","text":"https://b.example.com"}]}`,
		},
		{
			name: "invalid severity, empty source, null details, no id", alert: `{"rule_name":"r","record":{}}`,
			pub: `{"@pagerduty-v2.severity":"sev1","@pagerduty-v2.custom_details":null,"@pagerduty-v2.summary":42}`,
			want: `{"routing_key":"K","event_action":"trigger","dedup_key":"soc:ed2c9fdb9e0d8a4a6b09b42b0a2a0d5a",` +
				`"payload":{"summary":"42","source":"sa","severity":"critical","custom_details":{"description":"","record":{}}},` +
				`"client":"StreamAlert"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, pub, err := ParseInput([]byte(tt.alert), []byte(tt.pub))
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(NewEvent(a, pub, "soc", "K", true))
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if strings.Contains(want, "ed2c9fdb") {
				// The dedup key of an id-less alert is derived from its bytes.
				want = strings.Replace(want, "soc:ed2c9fdb9e0d8a4a6b09b42b0a2a0d5a", "soc:"+a.ID, 1)
				if len(a.ID) != 32 {
					t.Errorf("derived id %q, want 32 hex digits", a.ID)
				}
			}
			if string(got) != want {
				t.Errorf("event\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestNewEventLimits(t *testing.T) {
	a, pub, err := ParseInput([]byte(testAlert), []byte(`{"@pagerduty-v2.summary":"`+strings.Repeat("é", 600)+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	ev := NewEvent(a, pub, strings.Repeat("d", 300), "K", false)
	if len(ev.Payload.Summary) != 1024 || len(ev.DedupKey) != 255 {
		t.Errorf("summary %d bytes, dedup key %d bytes; want 1024 and 255", len(ev.Payload.Summary), len(ev.DedupKey))
	}
	if string(ev.Payload.CustomDetails) != `{"description":"Root logged in"}` {
		t.Errorf("details without record: %s", ev.Payload.CustomDetails)
	}
}

func TestParseInputErrors(t *testing.T) {
	if _, _, err := ParseInput([]byte(`[1]`), nil); err == nil {
		t.Error("array alert accepted")
	}
	if _, _, err := ParseInput([]byte(testAlert), []byte(`"text"`)); err == nil {
		t.Error("string publication accepted")
	}
}
