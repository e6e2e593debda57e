package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/streamalert-go/sa/internal/testbin"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/plugintest"
	"github.com/streamalert-go/sa/sdk/schema"
)

func TestConformance(t *testing.T) {
	plugintest.Test(t, saplugin.KindOutput, New())
}

func TestSendAppendsLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "alerts.jsonl")
	cfg, problems := New().Schema().Apply(map[string]any{"descriptor": "audit", "path": path})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	f := New()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			res := f.Send(context.Background(), saplugin.SendRequest{Config: cfg, Alert: []byte(`{"id":"` + strings.Repeat("x", i) + `"}`), Publication: []byte(`{"title":"t"}`)})
			if res.Status != saplugin.Delivered {
				t.Errorf("send %d: %v %s", i, res.Status, res.Message)
			}
		})
	}
	wg.Wait()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 50 {
		t.Fatalf("%d lines, want 50", len(lines))
	}
	for _, l := range lines {
		var v struct{ Alert, Publication map[string]any }
		if err := json.Unmarshal([]byte(l), &v); err != nil || v.Alert["id"] == nil || v.Publication["title"] != "t" {
			t.Fatalf("line %q: %v", l, err)
		}
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestSendFailures(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
		pub  string
		want saplugin.SendStatus
	}{
		{"missing directory is retryable", filepath.Join(dir, "no", "such", "dir", "a.jsonl"), "", saplugin.Retryable},
		{"bad publication is permanent", filepath.Join(dir, "a.jsonl"), "{", saplugin.Permanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := schema.Config{"path": tt.path, "fsync": false}
			res := New().Send(context.Background(), saplugin.SendRequest{Config: cfg, Alert: []byte(`{}`), Publication: []byte(tt.pub)})
			if res.Status != tt.want {
				t.Errorf("status %v (%s), want %v", res.Status, res.Message, tt.want)
			}
		})
	}
	if p := New().ValidateConfig(schema.Config{"path": "relative.jsonl"}); len(p) != 1 || p[0].Field != "path" {
		t.Errorf("relative path: problems %v", p)
	}
}

func TestBinary(t *testing.T) {
	bin := testbin.Build(t, "plugins/output/file")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := saplugin.Start(ctx, saplugin.ClientOptions{Cmd: exec.Command(bin)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Kill()
	path := filepath.Join(t.TempDir(), "out.jsonl")
	st, _ := structpb.NewStruct(map[string]any{"descriptor": "audit", "path": path})
	if resp, err := c.Conn.Base.Configure(ctx, &pluginv1.ConfigureRequest{Instance: "audit", Config: st}); err != nil || len(resp.GetProblems()) > 0 {
		t.Fatal(err, resp.GetProblems())
	}
	resp, err := c.Conn.Output.Send(ctx, &pluginv1.SendRequest{Instance: "audit", AlertJson: []byte(`{"id":"1"}`)})
	if err != nil || resp.GetStatus() != pluginv1.SendStatus_SEND_STATUS_DELIVERED {
		t.Fatal(err, resp)
	}
	if data, _ := os.ReadFile(path); string(data) != "{\"alert\":{\"id\":\"1\"}}\n" {
		t.Errorf("file holds %q", data)
	}
}
