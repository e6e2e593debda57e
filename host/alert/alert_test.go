package alert

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNewInvalid(t *testing.T) {
	ok := Params{RuleName: "r", Record: json.RawMessage(`{}`)}
	tests := []struct {
		name string
		edit func(*Params)
		want string
	}{
		{"no rule", func(p *Params) { p.RuleName = "" }, "rule name is empty"},
		{"no record", func(p *Params) { p.Record = nil }, "record is not valid JSON"},
		{"record array", func(p *Params) { p.Record = json.RawMessage(`[1]`) }, "record is not a JSON object"},
		{"record broken", func(p *Params) { p.Record = json.RawMessage(`{"a":`) }, "record is not valid JSON"},
		{"context string", func(p *Params) { p.Context = json.RawMessage(`"x"`) }, "context is not a JSON object"},
		{"output no colon", func(p *Params) { p.Outputs = []string{"slack"} }, `output "slack" is not service:descriptor`},
		{"output two colons", func(p *Params) { p.Outputs = []string{"a:b:c"} }, `output "a:b:c"`},
		{"output empty service", func(p *Params) { p.Outputs = []string{":soc"} }, `output ":soc"`},
		{"required bad", func(p *Params) { p.Required = []string{"firehose"} }, `output "firehose"`},
		{"negative window", func(p *Params) { p.MergeWindow = -time.Minute }, "merge window -1m0s is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok
			tt.edit(&p)
			_, err := New(p)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: err = %v, want ErrInvalid mentioning %q", err, tt.want)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	before := time.Now()
	a, err := New(Params{
		RuleName: "r", Record: json.RawMessage(" {\"b\" : [1, 2], \"a\": null} "),
		Outputs: []string{"slack:soc", "pagerduty:x", "slack:soc"}, Required: []string{"aws-firehose:alerts"},
		Tags: []string{"b", "", "a", "b"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.Created.Before(before.Truncate(time.Microsecond)) || a.Created.Location() != time.UTC || a.Created.Nanosecond()%1000 != 0 {
		t.Errorf("created = %v, want now in UTC to the microsecond", a.Created)
	}
	if string(a.Record) != `{"b":[1,2],"a":null}` || string(a.Context) != `{}` {
		t.Errorf("record %s context %s", a.Record, a.Context)
	}
	if want := []string{"aws-firehose:alerts", "pagerduty:x", "slack:soc"}; !slices.Equal(a.Outputs, want) {
		t.Errorf("outputs = %v, want %v", a.Outputs, want)
	}
	if want := []string{"a", "b"}; !slices.Equal(a.Tags, want) {
		t.Errorf("tags = %v, want %v", a.Tags, want)
	}
	if got := a.RemainingOutputs(); !slices.Equal(got, a.Outputs) {
		t.Errorf("remaining = %v, want every output", got)
	}
}

func TestNewMergeHoldsOutputs(t *testing.T) {
	a, err := New(Params{
		RuleName: "r", Record: json.RawMessage(`{}`), Outputs: []string{"slack:soc"},
		Required: []string{"aws-firehose:alerts"}, MergeByKeys: []string{"user"}, MergeWindow: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := a.RemainingOutputs(); !slices.Equal(got, []string{"aws-firehose:alerts"}) {
		t.Errorf("remaining = %v, want only the required output", got)
	}
	if d, _ := a.Delivery("slack:soc"); d.Status != Held {
		t.Errorf("slack:soc is %q, want held", d.Status)
	}
}

func TestState(t *testing.T) {
	d := func(ss ...Status) []Delivery {
		var out []Delivery
		for i, s := range ss {
			out = append(out, Delivery{Output: string(rune('a'+i)) + ":x", Status: s})
		}
		return out
	}
	tests := []struct {
		name       string
		ds         []Delivery
		mergedInto string
		want       State
		done       bool
	}{
		{"no outputs", nil, "", StateDelivered, true},
		{"all sent", d(Sent, Sent), "", StateDelivered, true},
		{"one pending", d(Sent, Pending), "", StatePending, false},
		{"held", d(Held), "", StatePending, false},
		{"failed beats pending", d(Failed, Pending), "", StateFailed, false},
		{"failed and sent", d(Failed, Sent), "", StateFailed, true},
		{"merged", d(Sent, Merged), "m", StateMerged, true},
		{"merged, archive pending", d(Pending, Merged), "m", StatePending, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &Alert{Deliveries: tt.ds, MergedInto: tt.mergedInto}
			if got := a.State(); got != tt.want {
				t.Errorf("State = %q, want %q", got, tt.want)
			}
			if got := a.Done(); got != tt.done {
				t.Errorf("Done = %v, want %v", got, tt.done)
			}
		})
	}
}

func TestDerived(t *testing.T) {
	t1 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	a := &Alert{Deliveries: []Delivery{
		{Output: "a:x", Status: Sent, Attempts: 1, LastAttempt: t1},
		{Output: "b:x", Status: Pending, Attempts: 3, LastAttempt: t1.Add(time.Hour)},
		{Output: "c:x", Status: Failed, Attempts: 2},
	}}
	if got := a.OutputsSent(); !slices.Equal(got, []string{"a:x"}) {
		t.Errorf("OutputsSent = %v", got)
	}
	if got := a.RemainingOutputs(); !slices.Equal(got, []string{"b:x"}) {
		t.Errorf("RemainingOutputs = %v", got)
	}
	if a.Attempts() != 3 || !a.Dispatched().Equal(t1.Add(time.Hour)) {
		t.Errorf("Attempts = %d, Dispatched = %v", a.Attempts(), a.Dispatched())
	}
	if _, ok := a.Delivery("z:x"); ok {
		t.Error("Delivery found an output the alert does not have")
	}
}

func TestValidateDeliveries(t *testing.T) {
	a, _ := New(Params{RuleName: "r", Record: json.RawMessage(`{}`), Outputs: []string{"a:x"}})
	a.Deliveries[0].Status = "lost"
	if err := a.Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown status: %v", err)
	}
	a.Deliveries = nil
	if err := a.Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("missing delivery: %v", err)
	}
	a.Deliveries = []Delivery{{Output: "b:x", Status: Pending}}
	if err := a.Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("delivery for another output: %v", err)
	}
}
