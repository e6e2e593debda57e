package alert

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC)

// fixed builds an alert with New and pins its id so the golden files hold.
func fixed(t *testing.T, id string, p Params) *Alert {
	t.Helper()
	a, err := New(p)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	a.ID = id
	return a
}

func goldenAlerts(t *testing.T) map[string]*Alert {
	minimal := fixed(t, "018f3411-9f0b-7e1a-8000-000000000001", Params{
		RuleName: "root_login", Record: json.RawMessage(`{"user":"root"}`), Created: t0,
	})
	full := fixed(t, "018f3411-9f0b-7e1a-8000-000000000002", Params{
		RuleName: "cloudtrail_root_account_usage", RuleDescription: "Root <account> & usage",
		Severity: "high", Tags: []string{"mitre:T1078", "aws", "aws"},
		Record:  json.RawMessage("{\"zeta\": 1, \"alpha\": {\"userIdentity\": {\"type\": \"Root\"}}, \"n\": 12345678901234567890, \"s\": \"é\\n\\u2028<b>\"}"),
		Context: json.RawMessage(`{"slack_message_template": "{rule_name}"}`),
		Outputs: []string{"slack:soc", "pagerduty-v2:oncall", "slack:soc"}, Required: []string{"aws-firehose:alerts"},
		Publishers: map[string][]string{"slack:soc": {"slack_layout.Summary", "generic.add_record"}, "pagerduty-v2:oncall": nil},
		Cluster:    "prod", LogSource: "cloudtrail:events", LogType: "json",
		SourceService: "kinesis", SourceEntity: "prod_stream", Staged: true,
		MergeByKeys: []string{"userIdentity", "sourceIPAddress"}, MergeWindow: 90*time.Minute + 500*time.Millisecond,
		Created: t0,
	})
	full.MergedInto = "018f3411-9f0b-7e1a-8000-0000000000ff"
	full.Deliveries[0] = Delivery{Output: "aws-firehose:alerts", Status: Sent, Attempts: 1,
		LastAttempt: t0.Add(time.Second).Truncate(time.Microsecond), SentAt: t0.Add(2 * time.Second).Truncate(time.Microsecond)}
	full.Deliveries[1] = Delivery{Output: "pagerduty-v2:oncall", Status: Failed, Attempts: 10,
		LastAttempt: t0.Add(time.Hour).Truncate(time.Microsecond), Error: "attempt budget of 10 exhausted: 503 Service Unavailable"}
	full.Deliveries[2] = Delivery{Output: "slack:soc", Status: Pending, Attempts: 2,
		LastAttempt: t0.Add(time.Minute).Truncate(time.Microsecond), NextAttempt: t0.Add(3 * time.Minute).Truncate(time.Microsecond),
		LeasedUntil: t0.Add(90 * time.Second).Truncate(time.Microsecond), Error: "slack: post message: 500"}
	merged := fixed(t, "018f3411-9f0b-7e1a-8000-000000000003", Params{
		RuleName: "brute_force", Record: json.RawMessage(`{"AlertCount":2,"MergedBy":{"user":"alice"}}`),
		Outputs: []string{"slack:soc"}, Created: t0,
		MergedFrom: []string{"018f3411-9f0b-7e1a-8000-00000000000b", "018f3411-9f0b-7e1a-8000-00000000000a"},
	})
	return map[string]*Alert{"minimal": minimal, "full": full, "merged": merged}
}

func TestGolden(t *testing.T) {
	for name, a := range goldenAlerts(t) {
		t.Run(name, func(t *testing.T) {
			full, err := json.Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			payload, err := a.Payload()
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name+".golden", full)
			checkGolden(t, name+".payload.golden", payload)
			for form, b := range map[string][]byte{"full": full, "payload": payload} {
				var back Alert
				if err := json.Unmarshal(b, &back); err != nil {
					t.Fatalf("%s: decode: %v", form, err)
				}
				want := *a
				if form == "payload" {
					want.Deliveries, want.MergedInto = nil, ""
				}
				if !reflect.DeepEqual(back, want) {
					t.Errorf("%s: round trip changed the alert:\n got %#v\nwant %#v", form, back, want)
				}
				again, _ := json.Marshal(back)
				if form == "payload" {
					again, _ = back.Payload()
				}
				if !bytes.Equal(again, b) {
					t.Errorf("%s: re-encoding differs:\n%s\n%s", form, again, b)
				}
			}
		})
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(append(got, '\n'), want) {
		t.Errorf("%s differs (run with -update to accept):\n got %s\nwant %s", name, got, want)
	}
}

func TestJSONForm(t *testing.T) {
	a := goldenAlerts(t)["full"]
	b, _ := json.Marshal(a)
	s := string(b)
	for _, want := range []string{
		`"rule_description":"Root \u003caccount\u003e \u0026 usage"`, // as encoding/json escapes
		`"created":"2024-05-01T12:00:00.123456Z"`,                    // fixed precision, truncated
		`"merge_window_secs":5400`,
		`"next_attempt":null`,
		`"record":{"zeta":1,"alpha":{"userIdentity":{"type":"Root"}},"n":12345678901234567890,`, // order and digits kept
	} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON lacks %s:\n%s", want, s)
		}
	}
	var keys []string
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.Token()
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		dec.Decode(&skip)
	}
	for i := 1; i < len(keys); i++ {
		if keys[i-1] >= keys[i] {
			t.Errorf("keys out of order: %q before %q", keys[i-1], keys[i])
		}
	}
	if len(keys) != 21 {
		t.Errorf("got %d keys, want 21: %v", len(keys), keys)
	}
}

func TestUnmarshalLenient(t *testing.T) {
	in := `{"id":"x","rule_name":"r","created":"2024-05-01T14:00:00.5+02:00","future_key":[1],` +
		`"record":{ "a" : 1 },"deliveries":[{"output":"b:x","status":"sent"},{"output":"a:x","status":"pending"}]}`
	var a Alert
	if err := json.Unmarshal([]byte(in), &a); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2024, 5, 1, 12, 0, 0, 5e8, time.UTC); !a.Created.Equal(want) || a.Created.Location() != time.UTC {
		t.Errorf("created = %v, want %v in UTC", a.Created, want)
	}
	if string(a.Record) != `{"a":1}` {
		t.Errorf("record = %s, want compacted", a.Record)
	}
	if a.Deliveries[0].Output != "a:x" {
		t.Errorf("deliveries not sorted by output: %+v", a.Deliveries)
	}
	for _, bad := range []string{`{"created":"yesterday"}`, `{"record":`, `[]`} {
		if err := json.Unmarshal([]byte(bad), &a); err == nil {
			t.Errorf("Unmarshal(%s) succeeded", bad)
		}
	}
}
