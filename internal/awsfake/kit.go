package awsfake

import (
	"bytes"
	"context"
	"maps"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/internal/testbin"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/plugintest"
)

// TestAlert is an alert as the host sends it. Its record carries
// normalization results, which outputs must not forward.
const TestAlert = `{"cluster":"prod","context":{"note":"x"},"created":"2024-03-05T07:08:09.123456Z",` +
	`"id":"0f9d1c2e-7b3a-4c5d-8e6f-a1b2c3d4e5f6","log_source":"cloudtrail:events","log_type":"json",` +
	`"merge_by_keys":[],"merge_window_secs":0,"merged_from":[],"outputs":["aws-sqs:alerts"],"publishers":{},` +
	`"record":{"user":"root","count":3,"nested":{"ip":"10.0.0.1"},"streamalert_normalization":{"ip":[{"values":["10.0.0.1"]}]}},` +
	`"rule_description":"Root logged in","rule_name":"root_login","severity":"high","source_entity":"corp-trail",` +
	`"source_service":"s3","staged":false,"tags":[]}`

// TestRecord is TestAlert's record as outputs forward it.
const TestRecord = `{"user":"root","count":3,"nested":{"ip":"10.0.0.1"}}`

// TestAlertID and TestRule are TestAlert's id and rule.
const (
	TestAlertID = "0f9d1c2e-7b3a-4c5d-8e6f-a1b2c3d4e5f6"
	TestRule    = "root_login"
)

// Config returns an instance configuration pointing a plugin at the fake
// with its static credentials, plus extra (which may override).
func (s *Server) Config(t testing.TB, extra map[string]any) map[string]any {
	t.Helper()
	cfg := map[string]any{
		"region": Region, "endpoint_url": s.URL, "sts_endpoint_url": s.URL, "ca_file": s.caFile(t),
		"aws_access_key_id": AccessKeyID, "aws_secret_access_key": SecretKey,
	}
	maps.Copy(cfg, extra)
	for k, v := range cfg {
		if v == nil {
			delete(cfg, k)
		}
	}
	return cfg
}

// caFile writes the CA bundle once per server.
func (s *Server) caFile(t testing.TB) string {
	s.mu.Lock()
	path := s.ca
	s.mu.Unlock()
	if path != "" {
		return path
	}
	path = s.CAFile(t)
	s.mu.Lock()
	s.ca = path
	s.mu.Unlock()
	return path
}

// AddCredentials makes the server accept another key, with a session
// token when token is set.
func (s *Server) AddCredentials(accessKeyID, secret, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creds[accessKeyID] = credential{secret: secret, token: token}
}

// Conformance runs the SDK's conformance harness, the one behind `sa
// plugin test`, against the binary built from pkg ("plugins/output/aws-sqs").
func Conformance(t *testing.T, pkg string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the plugin binary")
	}
	bin := testbin.Build(t, pkg)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := plugintest.Binary(ctx, func() *exec.Cmd { return exec.Command(bin) }, plugintest.Options{})
	var out bytes.Buffer
	r.Print(&out)
	if err := r.Err(); err != nil {
		t.Errorf("%v\n%s", err, out.String())
	}
	if !strings.HasPrefix(r.Plugin, "output.") {
		t.Errorf("harness reached %q, want an output plugin", r.Plugin)
	}
}

// CheckFaults drives the outcomes every AWS output shares, through send,
// against faults of op: throttling and server errors are retryable after
// the SDK's three attempts, a single throttle is retried by the SDK and
// delivered, and access denied is permanent at once. send must deliver
// when op succeeds.
func (s *Server) CheckFaults(t *testing.T, op string, send func(t *testing.T) saplugin.SendResult) {
	tests := []struct {
		name     string
		fault    Fault
		n        int
		status   saplugin.SendStatus
		attempts int
	}{
		{"throttled", Throttle, -1, saplugin.Retryable, 3},
		{"server error", ServerError, -1, saplugin.Retryable, 3},
		{"one throttle", Throttle, 1, saplugin.Delivered, 2},
		{"access denied", AccessDenied, -1, saplugin.Permanent, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(s.Calls(op))
			s.Fail(op, tt.n, tt.fault)
			defer s.clearFaults(op)
			res := send(t)
			if res.Status != tt.status {
				t.Errorf("%s: %s (%s), want %s", tt.fault, res.Status, res.Message, tt.status)
			}
			if n := len(s.Calls(op)) - before; n != tt.attempts {
				t.Errorf("%s: %d %s attempts, want %d", tt.fault, n, op, tt.attempts)
			}
			want := faultError(protocolService(s, op), tt.fault).code
			if tt.status != saplugin.Delivered && !strings.Contains(res.Message, want) {
				t.Errorf("message %q does not name the AWS error code %s", res.Message, want)
			}
		})
	}
}

// clearFaults drops any fault still queued for op.
func (s *Server) clearFaults(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.faults, op)
}

// protocolService is the service of the last call of op.
func protocolService(s *Server, op string) string {
	calls := s.Calls(op)
	if len(calls) == 0 {
		return ""
	}
	return calls[len(calls)-1].Service
}
