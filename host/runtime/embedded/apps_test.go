package embedded

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/internal/testbin"
)

// installPlugins builds and registers real plugins into a plugin directory.
func installPlugins(t testing.TB, pkgs ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, pkg := range pkgs {
		bin := testbin.Build(t, pkg)
		dst := filepath.Join(dir, filepath.Base(bin), filepath.Base(bin))
		os.MkdirAll(filepath.Dir(dst), 0o755)
		data, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := pluginhost.Register(context.Background(), dst, nil, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func countLines(path string) int {
	data, _ := os.ReadFile(path)
	return strings.Count(string(data), "\n")
}

// TestAppToOutput runs the whole pipeline on real plugin processes: the
// file app gathers CloudTrail logs from a directory on its schedule, the
// json parser plugin classifies them, the sample rules fire, and the file
// output plugin delivers the alerts. Logs appended later are gathered once.
func TestAppToOutput(t *testing.T) {
	plugins := installPlugins(t, "plugins/app/file", "plugins/parser/json", "plugins/output/file")
	ctx, cancel := context.WithCancel(context.Background())
	home := t.TempDir()
	if _, err := Init(ctx, home, InitOptions{PluginDirs: []string{plugins}}); err != nil {
		t.Fatal(err)
	}
	logs := t.TempDir()
	sample, _ := os.ReadFile(filepath.Join(home, "samples", "cloudtrail.jsonl"))
	os.WriteFile(filepath.Join(logs, "trail.jsonl"), sample, 0o644)

	cluster := filepath.Join(home, "conf", "clusters", "sample.json")
	os.WriteFile(cluster, []byte(`{"id": "sample", "data_sources": {"kinesis": {"sa_sample": ["cloudtrail"]}, "streamalert_app": {"local_logs": ["cloudtrail"]}}}`), 0o644)
	cfgPath := filepath.Join(home, ConfigFile)
	cfg, _ := os.ReadFile(cfgPath)
	cfgText := strings.Replace(string(cfg), "listen: 127.0.0.1:8800", "listen: 127.0.0.1:0", 1) +
		"\napps:\n  - name: local_logs\n    plugin: file\n    schedule: 200ms\n    config:\n      path: " + logs + "\n"
	os.WriteFile(cfgPath, []byte(cfgText), 0o600)

	s, err := Open(ctx, home, Options{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	alerts := filepath.Join(home, "alerts.jsonl")
	waitFor(t, func() bool { return countLines(alerts) >= 3 }, "3 alerts from the sample logs")
	f, _ := os.OpenFile(filepath.Join(logs, "trail.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(rootEvent(7) + "\n")
	f.Close()
	waitFor(t, func() bool { return countLines(alerts) >= 4 }, "the appended root event's alert")
	time.Sleep(time.Second) // a few more polls: nothing may be gathered twice
	if n := countLines(alerts); n != 4 {
		t.Errorf("%d alerts delivered, want exactly 4", n)
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`sa_plugin_up{instance="",plugin="app.file",state="running"} 1`,
		`sa_plugin_up{instance="",plugin="parser.json",state="running"} 1`,
		`sa_deliveries_pending 0`,
		`sa_dispatch_results_total{output="file:sample",result="delivered"} 4`,
		`sa_app_polls_total{app="local_logs",result="ok"}`,
		`sa_records_in_total{source="streamalert_app/local_logs"} 7`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}
