package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newTestApp returns an app logging into logs.
func newTestApp(logs io.Writer) *App {
	return &App{log: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
}

// testConfig applies the schema and the app's validation to raw, as the
// SDK does before Gather, with path set to path.
func testConfig(t *testing.T, path string, raw map[string]any) schema.Config {
	t.Helper()
	all := map[string]any{propPath: path}
	for k, v := range raw {
		all[k] = v
	}
	cfg, problems := configSchema.Apply(all)
	if len(problems) == 0 {
		problems = New().ValidateConfig(cfg)
	}
	if len(problems) > 0 {
		t.Fatalf("configuration refused: %v", problems)
	}
	return cfg
}

// poll runs one Gather and returns the batches it emitted.
func poll(t *testing.T, app *App, ctx context.Context, cfg schema.Config, state []byte) []saplugin.Batch {
	t.Helper()
	var batches []saplugin.Batch
	err := app.Gather(ctx, saplugin.GatherRequest{Instance: "test", Config: cfg, State: state, Budget: time.Minute},
		func(b saplugin.Batch) error {
			batches = append(batches, b)
			return nil
		})
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	return batches
}

// logsOf flattens the logs of batches into strings.
func logsOf(batches []saplugin.Batch) []string {
	out := []string{}
	for _, b := range batches {
		for _, l := range b.Logs {
			out = append(out, string(l))
		}
	}
	return out
}

// stateAfter is the state to resume from after batches were accepted.
func stateAfter(prev []byte, batches []saplugin.Batch) []byte {
	if len(batches) == 0 {
		return prev
	}
	return batches[len(batches)-1].State
}

// writeFile creates or replaces path with content.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// appendFile appends content to path.
func appendFile(t *testing.T, path, content string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(content); err != nil {
		t.Fatal(err)
	}
}

// gzipped returns content compressed as one gzip member.
func gzipped(t *testing.T, content string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// appendBytes appends raw bytes to path.
func appendBytes(t *testing.T, path string, b []byte) {
	t.Helper()
	appendFile(t, path, string(b))
}

// join is filepath.Join, short for test tables.
func join(dir, name string) string { return filepath.Join(dir, name) }
