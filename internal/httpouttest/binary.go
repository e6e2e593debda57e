package httpouttest

import (
	"path"
	"testing"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
)

// StartChecked runs the conformance harness against the built plugin at
// pkg, then starts it as StartBinary does and checks that it describes
// itself by the name pkg ends with and by version.
func StartChecked(t *testing.T, pkg, version string) *Binary {
	t.Helper()
	Conformance(t, pkg)
	b := StartBinary(t, pkg)
	if name, ver := b.Describe(t); name != path.Base(pkg) || ver != version {
		t.Fatalf("Describe = %s %s", name, ver)
	}
	return b
}

// Deliver configures an instance over gRPC, which must raise no problem,
// then sends it an alert and publication, which must be delivered.
func (b *Binary) Deliver(t *testing.T, instance string, raw map[string]any, alert, publication string) *pluginv1.SendResponse {
	t.Helper()
	if p := b.Configure(t, instance, raw); len(p) > 0 {
		t.Fatalf("configure: %v", p)
	}
	res := b.Send(t, instance, alert, publication)
	if res.GetStatus() != pluginv1.SendStatus_SEND_STATUS_DELIVERED {
		t.Fatalf("%s (%s), want delivered", res.GetStatus(), res.GetMessage())
	}
	return res
}

// KillNoLeak kills the plugin and checks that neither texts, such as the
// messages it sent back, nor its standard error show a secret.
func (b *Binary) KillNoLeak(t *testing.T, secrets []string, texts ...string) {
	t.Helper()
	b.Kill()
	secrettest.AssertNoLeak(t, secrets, append(texts, b.Stderr.String())...)
}
