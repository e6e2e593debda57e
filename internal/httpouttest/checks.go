package httpouttest

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/plugintest"
)

// CheckInProcess checks that p's schema is valid and that p passes the
// conformance harness in process.
func CheckInProcess(t *testing.T, p Plugin) {
	t.Run("schema", func(t *testing.T) {
		if err := p.Schema().Check(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("conformance", func(t *testing.T) {
		plugintest.Test(t, saplugin.KindOutput, p)
	})
}

// CheckProblems checks the problems p raises for each case's change to
// the configuration base returns, and that none quotes a secret.
func CheckProblems(t *testing.T, p Plugin, base func(*testing.T) map[string]any, secrets []string, cases []ProblemCase) {
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			raw := base(t)
			maps.Copy(raw, tt.Change)
			problems := Problems(p, raw)
			if tt.Field == "" && len(problems) > 0 || tt.Field != "" && (len(problems) != 1 || problems[0].Field != tt.Field) {
				t.Fatalf("problems %v, want one on %q", problems, tt.Field)
			}
			for _, pr := range problems {
				secrettest.AssertNoLeak(t, secrets, pr.Message)
			}
		})
	}
}

// CheckVerifiesTLS configures p for raw without its CA bundle, so the
// vendor v that raw names is untrusted, and checks that sending alert, on
// the first attempt and the next, fails on the certificate before v sees
// any request.
func CheckVerifiesTLS(t *testing.T, p Plugin, v *Vendor, raw map[string]any, instance, alert string) {
	t.Helper()
	delete(raw, propCAFile)
	cfg := Configure(t, p, instance, raw)
	for range 2 {
		res := p.Send(context.Background(), saplugin.SendRequest{Instance: instance, Config: cfg, Alert: []byte(alert)})
		if res.Status != saplugin.Retryable || !strings.Contains(res.Message, "certificate") {
			t.Fatalf("got %s (%s), want a certificate failure", res.Status, res.Message)
		}
	}
	if n := len(v.Requests()); n != 0 {
		t.Errorf("server saw %d requests over unverified TLS", n)
	}
}
