package embedded

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestIngestLocal processes the sample logs once, in-process, through real
// plugins, and finds the alerts delivered.
func TestIngestLocal(t *testing.T) {
	plugins := installPlugins(t, "plugins/parser/json", "plugins/output/file")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	home := t.TempDir()
	if _, err := Init(ctx, home, InitOptions{PluginDirs: []string{plugins}}); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, home, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sample, _ := os.ReadFile(filepath.Join(home, "samples", "cloudtrail.jsonl"))
	n, err := s.IngestLocal(ctx, SampleSource, bytes.Split(bytes.TrimSpace(sample), []byte("\n")))
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 || countLines(filepath.Join(home, "alerts.jsonl")) != 3 {
		t.Errorf("%d alerts stored, %d delivered; want 3 and 3", n, countLines(filepath.Join(home, "alerts.jsonl")))
	}
	if _, err := s.IngestLocal(ctx, "nosuch", nil); err == nil {
		t.Error("an unknown source was accepted")
	}
}
