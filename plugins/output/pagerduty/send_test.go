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
	pub := `{"@pagerduty.description":"root on db1","@pagerduty.client_url":"https://sa.example.com/a/42"}`
	res := endpoint.Send(t, s, pub)
	if res.Status != saplugin.Delivered || res.Message != "HTTP 200" {
		t.Fatalf("got %s (%s), want delivered", res.Status, res.Message)
	}
	r := s.Only(t)
	endpoint.CheckPost(t, r, map[string]string{"Content-Type": "application/json", "Accept": "application/json",
		"User-Agent": "sa-output-pagerduty/0.1.0", "Authorization": ""})
	want := `{"service_key":"` + testKey + `","event_type":"trigger","incident_key":"soc:alert-42",` +
		`"description":"root on db1","details":{"description":"Root logged in","record":{"user":"root","host":"db1"}},` +
		`"client":"streamalert","client_url":"https://sa.example.com/a/42","contexts":[]}`
	if string(r.Body) != want {
		t.Errorf("body\n got %s\nwant %s", r.Body, want)
	}
}

// TestSendRetrySameIncidentKey checks that a retried alert carries the same
// incident key, which is what keeps PagerDuty from opening a second
// incident (StreamAlert sent none).
func TestSendRetrySameIncidentKey(t *testing.T) {
	endpoint.CheckRetrySameBody(t, accepted, "soc-instance", `"incident_key":"soc:alert-42"`)
}

func TestSendStatus(t *testing.T) {
	invalid := `{"status":"invalid event","message":"Event object is invalid","errors":["Service key is the wrong length (should be 32 characters)"]}`
	cases := append([]httpouttest.StatusCase{
		{Code: 200, Body: `{"status":"success","message":"Event processed","incident_key":"soc:alert-42"}`,
			Want: saplugin.Delivered, WantMessage: "HTTP 200"},
		{Code: 403, Body: "Too many requests", Want: saplugin.Retryable, WantMessage: "HTTP 403: Too many requests"},
		{Code: 403, RetryAfter: "12", Want: saplugin.Retryable, WantWait: 12 * time.Second},
		{Code: 400, Body: invalid, Want: saplugin.Permanent, WantMessage: "HTTP 400: " + invalid},
	}, httpouttest.StatusCases(fixedNow, 900*time.Second)...)
	endpoint.CheckStatuses(t, cases)
}

func TestSendTransportFailure(t *testing.T) {
	endpoint.CheckTransportFailures(t)
}

// TestSendNoSecretLeak answers every outcome with a body quoting the
// request back, as some error pages do, and checks that no result, log
// line or error carries the service key.
func TestSendNoSecretLeak(t *testing.T) {
	echo := fmt.Sprintf(`{"status":"invalid event","errors":["service key %s unknown"]}`, testKey)
	endpoint.CheckNoLeak(t, []int{200, 400, 403, 500}, echo, "service key <secret> unknown")
}

func TestValidateConfig(t *testing.T) {
	endpoint.CheckProblems(t, append([]httpouttest.ProblemCase{
		{Name: "defaults", Change: map[string]any{propURL: nil, httpout.PropCAFile: nil}},
		{Name: "plain http", Change: map[string]any{propURL: "http://events.pagerduty.com/generic/2010-04-15/create_event.json"}, Field: propURL},
		{Name: "query in URL", Change: map[string]any{propURL: "https://events.pagerduty.com/generic/2010-04-15/create_event.json?x=1"}, Field: propURL},
		{Name: "key with a space", Change: map[string]any{propServiceKey: "abc def 0123456789"}, Field: propServiceKey},
		{Name: "descriptor with a colon", Change: map[string]any{propDescriptor: "a:b"}, Field: propDescriptor},
		{Name: "no key", Change: map[string]any{propServiceKey: nil}, Field: propServiceKey},
	}, httpouttest.TransportProblemCases()...))
}
