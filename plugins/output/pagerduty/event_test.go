package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestNewEvent(t *testing.T) {
	tests := []struct {
		name  string
		alert string
		pub   string
		want  string
	}{
		{
			name: "defaults", alert: testAlert,
			want: `{"service_key":"K","event_type":"trigger","incident_key":"soc:alert-42",` +
				`"description":"StreamAlert Rule Triggered - root_login",` +
				`"details":{"description":"Root logged in","record":{"user":"root","host":"db1"}},` +
				`"client":"streamalert","client_url":"","contexts":[]}`,
		},
		{
			name: "publication fields", alert: testAlert,
			pub: `{"@pagerduty.description":"root on db1","@pagerduty.details":{"a":[1, 2]},` +
				`"@pagerduty.client_url":"https://sa.example.com/a/42",` +
				`"@pagerduty.contexts":[{"type":"link","href":"https://runbook.example.com","text":"Runbook"},` +
				`{"type":"image","src":"https://i.example.com/x.png","alt":"dropped"},{"type":"link","text":"no href"},` +
				`{"type":"link","href":"https://no-text.example.com"},` +
				`{"type":"image"},{"type":"other","href":"x"},{"href":"no type"},"junk"],"record":{"ignored":true}}`,
			want: `{"service_key":"K","event_type":"trigger","incident_key":"soc:alert-42","description":"root on db1",` +
				`"details":{"a":[1,2]},"client":"streamalert","client_url":"https://sa.example.com/a/42",` +
				`"contexts":[{"type":"link","href":"https://runbook.example.com","text":"Runbook"},` +
				`{"type":"image","src":"https://i.example.com/x.png"}]}`,
		},
		{
			name: "null details, no record", alert: `{"id":"x","rule_name":"r"}`,
			pub: `{"@pagerduty.details":null,"@pagerduty.contexts":"not a list"}`,
			want: `{"service_key":"K","event_type":"trigger","incident_key":"soc:x",` +
				`"description":"StreamAlert Rule Triggered - r","details":{"description":"","record":{}},` +
				`"client":"streamalert","client_url":"","contexts":[]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, pub, err := parseInput([]byte(tt.alert), []byte(tt.pub))
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(newEvent(a, pub, "soc", "K"))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("event\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestNewEventLimits(t *testing.T) {
	a, pub, err := parseInput([]byte(`{"rule_name":"r"}`), []byte(`{"@pagerduty.description":"`+strings.Repeat("é", 600)+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	ev := newEvent(a, pub, strings.Repeat("d", 300), "K")
	if len(ev.Description) != 1024 || len(ev.IncidentKey) != 255 {
		t.Errorf("description %d bytes, incident key %d bytes; want 1024 and 255", len(ev.Description), len(ev.IncidentKey))
	}
	if len(a.ID) != 32 {
		t.Errorf("derived id %q, want 32 hex digits", a.ID)
	}
}

func TestParseInputErrors(t *testing.T) {
	if _, _, err := parseInput([]byte(`[1]`), nil); err == nil {
		t.Error("array alert accepted")
	}
	if _, _, err := parseInput([]byte(testAlert), []byte(`"text"`)); err == nil {
		t.Error("string publication accepted")
	}
}
