package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/streamalert-go/sa/internal/httpouttest"
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

func TestSendRequest(t *testing.T) {
	s := httpouttest.NewVendor(t, accepted)
	pub := `{"@pagerduty-v2.summary":"root on db1","@pagerduty-v2.severity":"error"}`
	res := endpoint.Send(t, s, pub)
	if res.Status != saplugin.Delivered || res.Message != "HTTP 202" {
		t.Fatalf("got %s (%s), want delivered", res.Status, res.Message)
	}
	r := s.Only(t)
	endpoint.CheckPost(t, r, map[string]string{"Content-Type": "application/json", "Accept": "application/json",
		"User-Agent": "sa-output-pagerduty-v2/0.1.0", "Authorization": ""})
	want := `{"routing_key":"` + testKey + `","event_action":"trigger","dedup_key":"soc:alert-42",` +
		`"payload":{"summary":"root on db1","source":"osquery:differential","severity":"error",` +
		`"custom_details":{"description":"Root logged in","record":{"user":"root","host":"db1"}}},"client":"StreamAlert"}`
	if string(r.Body) != want {
		t.Errorf("body\n got %s\nwant %s", r.Body, want)
	}
}

// TestSendRetrySameDedupKey checks that a retried alert carries the same
// dedup key, which is what keeps PagerDuty from opening a second incident.
func TestSendRetrySameDedupKey(t *testing.T) {
	endpoint.CheckRetrySameBody(t, accepted, "soc-instance", `"dedup_key":"soc:alert-42"`)
}

func TestSendStatus(t *testing.T) {
	invalid := `{"status":"invalid event","message":"Event object is invalid","errors":["'payload.severity' is invalid"]}`
	cases := append([]httpouttest.StatusCase{
		{Code: 202, Body: `{"status":"success","message":"Event processed","dedup_key":"soc:alert-42"}`,
			Want: saplugin.Delivered, WantMessage: "HTTP 202"},
		{Code: 400, Body: invalid, Want: saplugin.Permanent, WantMessage: "HTTP 400: " + invalid},
	}, httpouttest.StatusCases(fixedNow, 900*time.Second)...)
	endpoint.CheckStatuses(t, cases)
}

func TestSendTransportFailure(t *testing.T) {
	endpoint.CheckTransportFailures(t)
}

// TestSendNoSecretLeak answers every outcome with a body quoting the
// request back, as some error pages do, and checks that no result, log
// line or error carries the routing key.
func TestSendNoSecretLeak(t *testing.T) {
	echo := fmt.Sprintf(`{"status":"invalid event","errors":["routing key %s unknown"]}`, testKey)
	endpoint.CheckNoLeak(t, []int{202, 400, 429, 500}, echo, "routing key <secret> unknown")
}

func TestValidateConfig(t *testing.T) {
	endpoint.CheckProblems(t, append([]httpouttest.ProblemCase{
		{Name: "defaults", Change: map[string]any{propURL: nil, httpout.PropCAFile: nil}},
		{Name: "plain http", Change: map[string]any{propURL: "http://events.pagerduty.com/v2/enqueue"}, Field: propURL},
		{Name: "query in URL", Change: map[string]any{propURL: "https://events.pagerduty.com/v2/enqueue?x=1"}, Field: propURL},
		{Name: "key with a space", Change: map[string]any{propRoutingKey: "abc def 0123456789"}, Field: propRoutingKey},
		{Name: "descriptor with a colon", Change: map[string]any{propDescriptor: "a:b"}, Field: propDescriptor},
		{Name: "no key", Change: map[string]any{propRoutingKey: nil}, Field: propRoutingKey},
	}, httpouttest.TransportProblemCases()...))
}
