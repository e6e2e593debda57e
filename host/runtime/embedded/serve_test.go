package embedded

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/store"
)

// rootRule fires on CloudTrail activity by the root account: a stand-in
// for the rules engine in runtime tests.
type rootRule struct{}

func (rootRule) Evaluate(_ context.Context, rec *classify.Record) ([]Match, error) {
	var r struct {
		UserIdentity struct{ Type string } `json:"userIdentity"`
	}
	if err := json.Unmarshal(rec.Data, &r); err != nil {
		return nil, err
	}
	if r.UserIdentity.Type != "Root" {
		return nil, nil
	}
	return []Match{{Rule: "root_activity", Outputs: []string{"file:sample"}}}, nil
}

type memDeadLetter struct {
	mu  sync.Mutex
	got []*classify.Failure
}

func (d *memDeadLetter) Add(_ context.Context, f []*classify.Failure) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.got = append(d.got, f...)
	return nil
}

// startServer inits a home, points it at a free port and serves it.
func startServer(t *testing.T, dead DeadLetter) (*Server, string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	home := t.TempDir()
	if _, err := Init(ctx, home, InitOptions{}); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(home, ConfigFile)
	data, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, []byte(strings.Replace(string(data), "listen: 127.0.0.1:8800", "listen: 127.0.0.1:0", 1)), 0o600)
	build := func(context.Context, Env) (Parts, error) { return Parts{Rules: rootRule{}, DeadLetter: dead}, nil }
	s, err := Open(ctx, home, Options{Build: build, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return s, home, addr
}

func TestServeIngestToAlerts(t *testing.T) {
	dead := &memDeadLetter{}
	s, home, addr := startServer(t, dead)
	tok, err := s.env.Secrets.Get(context.Background(), "ingest/sample")
	if err != nil {
		t.Fatal(err)
	}
	sample, _ := os.ReadFile(filepath.Join(home, "samples", "cloudtrail.jsonl"))
	body := string(sample) + "this is not cloudtrail\n"
	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/ingest/sample", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok["token"].Reveal())
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("ingest: %v %v", resp.Status, err)
	}
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	var alerts []string
	for time.Now().Before(deadline) {
		if _, n, _ := s.env.Store.Depth(ctx); n == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	list, err := s.env.Store.List(ctx, store.ListRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list.Alerts {
		alerts = append(alerts, a.RuleName+":"+a.LogSource)
	}
	// The sample holds two events by the root account.
	if len(alerts) != 2 || alerts[0] != "root_activity:cloudtrail:events" {
		t.Errorf("alerts %v, want two root_activity alerts on cloudtrail:events", alerts)
	}
	dead.mu.Lock()
	defer dead.mu.Unlock()
	if len(dead.got) != 1 || !strings.Contains(string(dead.got[0].Raw), "not cloudtrail") {
		t.Errorf("dead letter %v, want the one unclassifiable line", dead.got)
	}
	resp, err = http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m strings.Builder
	buf := make([]byte, 1<<16)
	for {
		n, err := resp.Body.Read(buf)
		m.Write(buf[:n])
		if err != nil {
			break
		}
	}
	for _, want := range []string{`sa_records_in_total{source="sample"} 7`, `sa_alerts_total{rule="root_activity"} 2`, `sa_records_classified_total{log_type="cloudtrail:events"} 6`} {
		if !strings.Contains(m.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
