package aws

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/internal/testbin"
)

// installPlugin builds the plugin at pkg and registers it in a plugin
// directory, as a deployment package carries it.
func installPlugin(t *testing.T, pkg string) string {
	t.Helper()
	bin := testbin.Build(t, pkg)
	dir := t.TempDir()
	dst := filepath.Join(dir, filepath.Base(bin), filepath.Base(bin))
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := pluginhost.Register(context.Background(), dst, nil, quiet); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestEndToEnd runs records put on a Kinesis stream through every
// function: classifier → SQS → rules → DynamoDB → merger → processor →
// the file output plugin, a real plugin process, and finds each alert
// delivered once, however often the processor runs.
func TestEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dep := newDeployment(t, installPlugin(t, "plugins/output/file"))
	st := newStore(t)
	q := newFakeSQS(t, "classified", "deadletter")

	classifier := newClassifierHandler(t, dep, q)
	// The records go through a local Kinesis: put, read back from the
	// shard, and handed over in the event shape Lambda delivers.
	out, err := classifier.Invoke(ctx, asRaw(t, kinesisPut(t, ctx, "sa_sample", sampleLines(t, dep)...)))
	if err != nil || len(out.(events.KinesisEventResponse).BatchItemFailures) > 0 {
		t.Fatalf("classifier: %v %v", out, err)
	}
	engine, err := dep.Rules(quiet)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := NewRules(RulesOptions{Rules: engine, Store: st, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := rules.Handle(ctx, q.take("classified")); err != nil || len(r.BatchItemFailures) > 0 {
		t.Fatalf("rules: %v %v", r.BatchItemFailures, err)
	}
	if _, err := NewMerger(st, nil, quiet).Handle(ctx); err != nil {
		t.Fatal(err)
	}
	plugins := dep.Plugins(slog.New(slog.DiscardHandler))
	defer plugins.Close()
	proc, err := ProcessorFor(dep, st, plugins, nil, nil, quiet)
	if err != nil {
		t.Fatal(err)
	}
	// An invocation with Lambda's deadline: the pass ends when nothing
	// is due, long before it.
	lambdaCtx, done := context.WithTimeout(ctx, 90*time.Second)
	defer done()
	start := time.Now()
	res, err := proc.Handle(lambdaCtx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Deadline || time.Since(start) > 30*time.Second {
		t.Errorf("the pass ran %v (deadline %v); it should end once nothing is due", time.Since(start), res.Deadline)
	}
	delivered := readAlerts(t, filepath.Join(dep.Home, "alerts.jsonl"))
	if len(delivered) == 0 || res.Sent != len(delivered) {
		t.Fatalf("%d alerts delivered, processor sent %d", len(delivered), res.Sent)
	}
	for _, a := range delivered {
		if !strings.HasPrefix(a.Rule, "cloudtrail_") || a.Source != "sa_sample" {
			t.Errorf("delivered %+v", a)
		}
	}
	// A second pass finds nothing due and sends nothing again.
	res, err = proc.Handle(lambdaCtx)
	if err != nil || res.Sent != 0 || res.Leased != 0 {
		t.Errorf("second pass: %+v %v, want nothing to do", res, err)
	}
	if n := len(readAlerts(t, filepath.Join(dep.Home, "alerts.jsonl"))); n != len(delivered) {
		t.Errorf("%d alerts in the file after a second pass, want %d", n, len(delivered))
	}
}

type deliveredAlert struct {
	Rule   string `json:"rule_name"`
	Source string `json:"source_entity"`
}

func readAlerts(t *testing.T, path string) []deliveredAlert {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no alerts delivered: %v", err)
	}
	var out []deliveredAlert
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var l struct {
			Alert deliveredAlert `json:"alert"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		out = append(out, l.Alert)
	}
	return out
}
