package apptest

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/streamalert-go/sa/internal/testbin"
	"github.com/streamalert-go/sa/sdk/plugintest"
)

// Conformance runs sa's conformance harness against the built binary of
// the plugin at pkg ("plugins/app/okta") and fails t for every failed
// check.
func Conformance(t *testing.T, pkg string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the plugin binary")
	}
	bin := testbin.Build(t, pkg)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := plugintest.Binary(ctx, func() *exec.Cmd { return exec.Command(bin) }, plugintest.Options{})
	for _, c := range r.Checks {
		if c.Err != nil {
			t.Errorf("conformance: %s: %v", c.Name, c.Err)
		}
	}
	if len(r.Checks) < 5 {
		t.Errorf("conformance ran only %d checks", len(r.Checks))
	}
}
