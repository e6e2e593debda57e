package main

import (
	"encoding/json"
	"testing"
)

func TestNewIncident(t *testing.T) {
	tests := []struct {
		name  string
		alert string
		pub   string
		want  string
	}{
		{
			name: "defaults: the whole publication as labels", alert: testAlert,
			pub: `{"rule_name":"root_login","record":{"user":"root","ports":[22,443],"ok":true,"gone":null,"ratio":1.50,"nest":{},"list":[]},"id":"alert-42"}`,
			want: `{"type":"Unclassified","name":"root_login","owner":"StreamAlert","playbook":"Unknown","severity":0,` +
				`"labels":[{"type":"id","value":"alert-42"},{"type":"record.gone","value":"None"},{"type":"record.ok","value":"True"},` +
				`{"type":"record.ports[0]","value":"22"},{"type":"record.ports[1]","value":"443"},{"type":"record.ratio","value":"1.50"},` +
				`{"type":"record.user","value":"root"},{"type":"rule_name","value":"root_login"}],` +
				`"customFields":{},"details":"Root logged in","createInvestigation":true}`,
		},
		{
			name: "publication fields", alert: testAlert,
			pub: `{"@demisto.incident_type":"Access","@demisto.incident_name":"Root on db1","@demisto.owner":"soc",` +
				`"@demisto.playbook":"Triage","@demisto.severity":"Medium","@demisto.details":"Check it",` +
				`"@demisto.label_data":{"host":"db1","tags":["a",{"b":false}]}}`,
			want: `{"type":"Access","name":"Root on db1","owner":"soc","playbook":"Triage","severity":2,` +
				`"labels":[{"type":"host","value":"db1"},{"type":"tags[0]","value":"a"},{"type":"tags[1].b","value":"False"}],` +
				`"customFields":{},"details":"Check it","createInvestigation":true}`,
		},
		{
			name: "informational severity, no publication", alert: `{"rule_name":"r","rule_description":""}`,
			want: `{"type":"Unclassified","name":"r","owner":"StreamAlert","playbook":"Unknown","severity":0,` +
				`"labels":[],"customFields":{},"details":"","createInvestigation":true}`,
		},
		{
			name: "info severity", alert: `{"rule_name":"r"}`, pub: `{"@demisto.severity":"info","@demisto.label_data":"flat"}`,
			want: `{"type":"Unclassified","name":"r","owner":"StreamAlert","playbook":"Unknown","severity":0.5,` +
				`"labels":[{"type":"","value":"flat"}],"customFields":{},"details":"","createInvestigation":true}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := newIncident([]byte(tt.alert), []byte(tt.pub))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(in)
			if string(got) != tt.want {
				t.Errorf("incident\n got %s\nwant %s", got, tt.want)
			}
		})
	}
	if _, err := newIncident([]byte(testAlert), []byte(`[1]`)); err == nil {
		t.Error("list publication accepted")
	}
}
