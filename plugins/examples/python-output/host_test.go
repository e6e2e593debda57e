package pythonoutput_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/pluginhost"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// TestThroughHost installs the Python plugin as the host does (register,
// discover, checksum, launch) and delivers an alert through it; then it
// changes one of the plugin's files and checks the host refuses to start it.
func TestThroughHost(t *testing.T) {
	requirePython(t)
	dir := pluginDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	log := slog.New(slog.DiscardHandler)
	m, err := pluginhost.Register(ctx, dir, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	if m.Address() != "output.python-example" || len(m.Files) == 0 || len(m.Schema) != 2 {
		t.Fatalf("manifest %+v: want output.python-example with files and schema", m)
	}

	root := filepath.Dir(dir)
	out := filepath.Join(t.TempDir(), "alerts.jsonl")
	h := pluginhost.New(pluginhost.Options{Dirs: []string{root}, Logger: log})
	defer h.Close()
	h.Configure(m.Address(), "e2e", func(context.Context) (map[string]any, error) {
		return map[string]any{"path": out, "api_token": "e2e_token_0123"}, nil
	})
	alert := []byte(`{"id":"a-1","rule_name":"cloudtrail_root_account_usage","record":{"userIdentity":{"type":"Root"}}}`)
	res, err := h.Send(ctx, "python-example", "e2e", alert, []byte(`{"title":"root login"}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != saplugin.Delivered {
		t.Fatalf("status %v %q, want delivered", res.Status, res.Message)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var line struct {
		Instance string
		Alert    struct{ ID string }
	}
	if err := json.Unmarshal(data, &line); err != nil || line.Instance != "e2e" || line.Alert.ID != "a-1" {
		t.Fatalf("delivered line %s (%v): want the alert for instance e2e", data, err)
	}
	h.Close()

	// A changed module is caught even though it is not the entry point.
	if err := os.WriteFile(filepath.Join(dir, "goplugin.py"), []byte("# changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h2 := pluginhost.New(pluginhost.Options{Dirs: []string{root}, Logger: log})
	defer h2.Close()
	h2.Configure(m.Address(), "e2e", func(context.Context) (map[string]any, error) {
		return map[string]any{"path": out}, nil
	})
	_, err = h2.Send(ctx, "python-example", "e2e", alert, nil)
	if err == nil || !strings.Contains(err.Error(), "goplugin.py") || !strings.Contains(err.Error(), "changed after install") {
		t.Fatalf("error %v, want goplugin.py reported as changed", err)
	}
}
