package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/internal/awsfake"
	"github.com/streamalert-go/sa/internal/httpouttest"
	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

const group = "/sa/alerts"

func newTest(logs io.Writer) *awsout.Output[*logStream] {
	o := New()
	o.Log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o.MaxBackoff = 0
	return o
}

func TestSuite(t *testing.T) {
	awsfake.Suite{
		Package: "plugins/output/aws-cloudwatch-log",
		Name:    "aws-cloudwatch-log",
		New:     func(logs io.Writer) awsfake.Plugin { return newTest(logs) },
		Setup: func(s *awsfake.Server) map[string]any {
			s.AddLogGroup(group, defaultStream)
			return map[string]any{"descriptor": "alerts", "log_group": group}
		},
		Missing: func(*awsfake.Server) map[string]any {
			return map[string]any{"descriptor": "gone", "log_group": "/sa/none"}
		},
		Op: "PutLogEvents",
		Delivered: func(t *testing.T, c awsfake.Call) {
			events, _ := c.Get("logEvents").([]any)
			if c.String("logGroupName") != group || c.String("logStreamName") != defaultStream || len(events) != 1 {
				t.Fatalf("PutLogEvents %v", c.JSON)
			}
			e := events[0].(map[string]any)
			ms, _ := e["timestamp"].(json.Number).Int64()
			if e["message"] != string(awsout.Compact([]byte(awsfake.TestAlert))) || time.Since(time.UnixMilli(ms)).Abs() > time.Minute {
				t.Errorf("event %v: want the compact publication stamped now", e)
			}
		},
	}.Run(t)
}

func TestSchema(t *testing.T) {
	if err := configSchema.Check(); err != nil {
		t.Fatal(err)
	}
	for raw, field := range map[string]string{"bad group": "log_group", "ok": ""} {
		g := group
		if raw == "bad group" {
			g = "sa alerts"
		}
		p := httpouttest.Problems(New(), map[string]any{"descriptor": "a", "log_group": g, "region": "us-east-1"})
		if field == "" && len(p) > 0 || field != "" && (len(p) != 1 || p[0].Field != field) {
			t.Errorf("%s: problems %v", raw, p)
		}
	}
}

// TestCreatesStream writes to a stream that does not exist yet: it is
// created once, and the event written.
func TestCreatesStream(t *testing.T) {
	s := awsfake.New(t)
	s.AddLogGroup(group)
	o := newTest(io.Discard)
	cfg := httpouttest.Configure(t, o, "alerts", s.Config(t, map[string]any{"descriptor": "alerts", "log_group": group, "log_stream": "soc/alerts"}))
	for i := range 2 {
		res := awsfake.Send(o, cfg, `{"@x":1}`)
		if res.Status != saplugin.Delivered {
			t.Fatalf("send %d: %s (%s)", i, res.Status, res.Message)
		}
		if created := strings.Contains(res.Message, "created the stream"); created != (i == 0) {
			t.Errorf("send %d: %q", i, res.Message)
		}
	}
	if got := s.LogStreams(group); len(got) != 1 || got[0] != "soc/alerts" {
		t.Errorf("streams %v", got)
	}
	if c := s.Only(t, "CreateLogStream"); c.String("logGroupName") != group || c.String("logStreamName") != "soc/alerts" {
		t.Errorf("CreateLogStream %v", c.JSON)
	}
	if n := len(s.Calls("PutLogEvents")); n != 3 {
		t.Errorf("%d PutLogEvents calls, want 3 (one refused, then two)", n)
	}
}

func TestMissingGroup(t *testing.T) {
	s := awsfake.New(t)
	o := newTest(io.Discard)
	cfg := httpouttest.Configure(t, o, "alerts", s.Config(t, map[string]any{"descriptor": "alerts", "log_group": group}))
	res := awsfake.Send(o, cfg, "")
	if res.Status != saplugin.Permanent || !strings.Contains(res.Message, "CreateLogStream: ResourceNotFoundException: The specified log group does not exist.") {
		t.Fatalf("%s (%s)", res.Status, res.Message)
	}
}

// TestRejectedEvent: CloudWatch Logs takes the call but refuses an event
// whose time is far from its clock.
func TestRejectedEvent(t *testing.T) {
	s := awsfake.New(t)
	s.AddLogGroup(group, defaultStream)
	s.LogNow = func() time.Time { return time.Now().Add(30 * 24 * time.Hour) }
	o := newTest(io.Discard)
	cfg := httpouttest.Configure(t, o, "alerts", s.Config(t, map[string]any{"descriptor": "alerts", "log_group": group}))
	res := awsfake.Send(o, cfg, "")
	if res.Status != saplugin.Permanent || !strings.Contains(res.Message, "rejected the event (timestamp older than 14 days") {
		t.Fatalf("%s (%s)", res.Status, res.Message)
	}
}

func TestTooLarge(t *testing.T) {
	s := awsfake.New(t)
	s.AddLogGroup(group, defaultStream)
	o := newTest(io.Discard)
	cfg := httpouttest.Configure(t, o, "alerts", s.Config(t, map[string]any{"descriptor": "alerts", "log_group": group}))
	res := awsfake.Send(o, cfg, `{"k":"`+strings.Repeat("x", awsout.LogEventLimit)+`"}`)
	if res.Status != saplugin.Permanent || !strings.Contains(res.Message, "over the CloudWatch Logs limit of 1048550 bytes") {
		t.Fatalf("%s (%s)", res.Status, res.Message)
	}
	if n := len(s.Calls()); n != 0 {
		t.Errorf("%d calls", n)
	}
}
