package awsfake

import (
	"context"
	"io"
	"maps"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/httpouttest"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/plugintest"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Plugin is an AWS output plugin under test.
type Plugin interface {
	saplugin.Output
	saplugin.Validator
	saplugin.Configurer
}

// Suite is the behaviour every AWS output shares, checked against one
// plugin: conformance of the built binary, the outcomes of faults, the
// assumed role, secrets kept out of results and logs, and the binary
// serving two instances.
type Suite struct {
	// Package is the plugin's directory ("plugins/output/aws-sqs").
	Package string
	// Name is the plugin's name ("aws-sqs").
	Name string
	// New returns a fresh plugin logging to logs, with no wait between
	// the SDK's attempts.
	New func(logs io.Writer) Plugin
	// Setup creates the destination on the fake and returns the plugin's
	// own properties for it (descriptor, aws_value, ...).
	Setup func(s *Server) map[string]any
	// Missing returns the plugin's own properties for a destination the
	// fake does not have.
	Missing func(s *Server) map[string]any
	// Op is the operation that delivers ("SendMessage").
	Op string
	// Delivered checks the call that delivered TestAlert with the
	// default publication.
	Delivered func(t *testing.T, c Call)
}

// Run runs the suite's subtests.
func (su Suite) Run(t *testing.T) {
	t.Run("conformance", func(t *testing.T) {
		plugintest.Test(t, saplugin.KindOutput, su.New(io.Discard))
		Conformance(t, su.Package)
	})
	t.Run("delivered", su.delivered)
	t.Run("faults", func(t *testing.T) {
		s, p, cfg := su.setup(t, nil)
		s.CheckFaults(t, su.Op, func(*testing.T) saplugin.SendResult { return Send(p, cfg, "") })
	})
	t.Run("missing destination", su.missing)
	t.Run("assume role", su.assumeRole)
	t.Run("assume role denied", su.assumeRoleDenied)
	t.Run("no secret leak", su.noSecretLeak)
	t.Run("binary", su.binary)
}

// setup starts the fake with the destination and configures a plugin
// for it; extra properties override (nil deletes).
func (su Suite) setup(t *testing.T, extra map[string]any) (*Server, Plugin, schema.Config) {
	t.Helper()
	s := New(t)
	own := su.Setup(s)
	maps.Copy(own, extra)
	p := su.New(secrettest.NewWriter(t, Secrets))
	return s, p, httpouttest.Configure(t, p, "alerts", s.Config(t, own))
}

// Send sends TestAlert with pub to the "alerts" instance of p.
func Send(p Plugin, cfg schema.Config, pub string) saplugin.SendResult {
	return p.Send(context.Background(), saplugin.SendRequest{Instance: "alerts", Config: cfg,
		Alert: []byte(TestAlert), Publication: []byte(pub)})
}

func (su Suite) delivered(t *testing.T) {
	s, p, cfg := su.setup(t, nil)
	res := Send(p, cfg, "")
	if res.Status != saplugin.Delivered || !strings.HasPrefix(res.Message, su.Name+": ") {
		t.Fatalf("%s (%s), want delivered", res.Status, res.Message)
	}
	c := s.Only(t, su.Op)
	if c.AccessKeyID != AccessKeyID || c.Region != Region {
		t.Errorf("%s signed by %s for %s, want the static key for %s", su.Op, c.AccessKeyID, c.Region, Region)
	}
	su.Delivered(t, c)
}

func (su Suite) missing(t *testing.T) {
	s, p, _ := su.setup(t, nil)
	cfg := httpouttest.Configure(t, p, "alerts", s.Config(t, su.Missing(s)))
	res := Send(p, cfg, "")
	if res.Status != saplugin.Permanent || !strings.Contains(res.Message, "(HTTP 4") {
		t.Fatalf("%s (%s), want permanent with the service's 4xx answer", res.Status, res.Message)
	}
}

// roleARN is the role the suite assumes.
const roleARN = "arn:aws:iam::" + Account + ":role/sa-alert-delivery"

func (su Suite) assumeRole(t *testing.T) {
	s, p, cfg := su.setup(t, map[string]any{"assume_role_arn": roleARN, "external_id": "ext-7f3e9a"})
	s.AllowRole(roleARN, "ext-7f3e9a")
	for range 2 {
		if res := Send(p, cfg, ""); res.Status != saplugin.Delivered {
			t.Fatalf("%s (%s)", res.Status, res.Message)
		}
	}
	ar := s.Only(t, "AssumeRole")
	if ar.Form.Get("RoleArn") != roleARN || ar.Form.Get("ExternalId") != "ext-7f3e9a" ||
		ar.Form.Get("RoleSessionName") != "sa-output" || ar.AccessKeyID != AccessKeyID || ar.Service != "sts" {
		t.Errorf("AssumeRole %v signed by %s: want the role, external id and session name, signed by the static key", ar.Form, ar.AccessKeyID)
	}
	for _, c := range s.Calls() {
		if c.Service != "sts" && (c.AccessKeyID != TempAccessKeyID || c.SessionToken != SessionToken) {
			t.Errorf("%s signed by %s, want the role's temporary credentials", c.Op, c.AccessKeyID)
		}
	}
}

func (su Suite) assumeRoleDenied(t *testing.T) {
	s, p, cfg := su.setup(t, map[string]any{"assume_role_arn": roleARN})
	res := Send(p, cfg, "")
	if res.Status != saplugin.Permanent || !strings.HasPrefix(res.Message, su.Name+": STS AssumeRole: AccessDenied: ") {
		t.Fatalf("%s (%s), want permanent naming STS's refusal", res.Status, res.Message)
	}
	for _, c := range s.Calls() {
		if c.Service != "sts" {
			t.Errorf("%s called without credentials", c.Op)
		}
	}
}

// noSecretLeak drives every outcome with temporary static credentials,
// then a wrong secret, and checks results, logs and the rendered
// configuration for the secrets.
func (su Suite) noSecretLeak(t *testing.T) {
	const id, secret, token = "ASIASTATIC0000000009", "static-secret/9f8e7d6c5b4a39281706", "static-session-token/ZXhhbXBsZQ0123456789"
	secrets := append([]string{secret, token}, Secrets...)
	s := New(t)
	s.AddCredentials(id, secret, token)
	p := su.New(secrettest.NewWriter(t, secrets))
	creds := map[string]any{"aws_access_key_id": id, "aws_secret_access_key": secret, "aws_session_token": token}
	own := su.Setup(s)
	maps.Copy(own, creds)
	cfg := httpouttest.Configure(t, p, "alerts", s.Config(t, own))
	texts := []string{Send(p, cfg, "").Message}
	for _, f := range []Fault{Throttle, ServerError, AccessDenied} {
		s.Fail(su.Op, 1, f)
		texts = append(texts, Send(p, cfg, "").Message)
	}
	s.ExpectRejections()
	own["aws_secret_access_key"] = secret + "x"
	bad := httpouttest.Configure(t, p, "alerts", s.Config(t, own))
	res := Send(p, bad, "")
	if res.Status != saplugin.Permanent || !strings.Contains(res.Message, "SignatureDoesNotMatch") ||
		!strings.Contains(res.Message, "x-amz-security-token:<secret>") {
		t.Errorf("wrong secret: %s (%s), want permanent SignatureDoesNotMatch with the echoed token masked", res.Status, res.Message)
	}
	texts = append(texts, res.Message)
	texts = append(texts, secrettest.Render(cfg)...)
	secrettest.AssertNoLeak(t, secrets, texts...)
}

// binary runs the built plugin as the host does, with two instances.
func (su Suite) binary(t *testing.T) {
	b := httpouttest.StartBinary(t, su.Package)
	if name, _ := b.Describe(t); name != su.Name {
		t.Fatalf("Describe names %s", name)
	}
	s := New(t)
	if p := b.Configure(t, "alerts", s.Config(t, su.Setup(s))); len(p) > 0 {
		t.Fatalf("configure: %v", p)
	}
	if p := b.Configure(t, "gone", s.Config(t, su.Missing(s))); len(p) > 0 {
		t.Fatalf("configure: %v", p)
	}
	res := b.Send(t, "alerts", TestAlert, "")
	if res.GetStatus() != pluginv1.SendStatus_SEND_STATUS_DELIVERED {
		t.Fatalf("alerts: %s (%s)", res.GetStatus(), res.GetMessage())
	}
	su.Delivered(t, s.Only(t, su.Op))
	gone := b.Send(t, "gone", TestAlert, "")
	if gone.GetStatus() != pluginv1.SendStatus_SEND_STATUS_PERMANENT {
		t.Fatalf("gone: %s (%s)", gone.GetStatus(), gone.GetMessage())
	}
	b.Kill()
	secrettest.AssertNoLeak(t, Secrets, res.GetMessage(), gone.GetMessage(), b.Stderr.String())
	if !strings.Contains(b.Stderr.String(), "instance configured") {
		t.Errorf("stderr lacks the configure log: %s", b.Stderr.String())
	}
}
