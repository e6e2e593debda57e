package main

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/internal/awsfake"
	"github.com/streamalert-go/sa/internal/httpouttest"
	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

const streamName = "sa_streamalert_alert_delivery"

func newTest(logs io.Writer) *awsout.Output[*stream] {
	o := New()
	o.Log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o.MaxBackoff = 0
	return o
}

func setup(t *testing.T) (*awsfake.Server, *awsout.Output[*stream], map[string]any) {
	s := awsfake.New(t)
	s.AddStream(streamName)
	return s, newTest(io.Discard), s.Config(t, map[string]any{"descriptor": "alerts", "aws_value": streamName})
}

func TestSuite(t *testing.T) {
	awsfake.Suite{
		Package: "plugins/output/aws-firehose",
		Name:    "aws-firehose",
		New:     func(logs io.Writer) awsfake.Plugin { return newTest(logs) },
		Setup: func(s *awsfake.Server) map[string]any {
			s.AddStream(streamName)
			return map[string]any{"descriptor": "alerts", "aws_value": streamName}
		},
		Missing: func(*awsfake.Server) map[string]any { return map[string]any{"descriptor": "gone", "aws_value": "gone"} },
		Op:      "PutRecord",
		Delivered: func(t *testing.T, c awsfake.Call) {
			// No publication was sent: the alert is the publication.
			if c.String("DeliveryStreamName") != streamName || string(c.Blob("Record", "Data")) != string(awsout.Compact([]byte(awsfake.TestAlert)))+"\n" {
				t.Errorf("PutRecord %s %q, want the compact publication and a newline", c.String("DeliveryStreamName"), c.Blob("Record", "Data"))
			}
		},
	}.Run(t)
}

func TestSchema(t *testing.T) {
	if err := configSchema.Check(); err != nil {
		t.Fatal(err)
	}
	if p := httpouttest.Problems(New(), map[string]any{"descriptor": "a", "aws_value": "bad/name", "region": "us-east-1"}); len(p) != 1 || p[0].Field != "aws_value" {
		t.Errorf("problems %v, want one on aws_value", p)
	}
}

// TestPublicationKeepsOrder sends a composed publication: its bytes go
// to the stream as written, keys in their order, compacted.
func TestPublicationKeepsOrder(t *testing.T) {
	s, o, raw := setup(t)
	cfg := httpouttest.Configure(t, o, "alerts", raw)
	pub := "{\n  \"z\": 1,\n  \"a\": {\"k\": [true, null, 1.50]},\n  \"@aws-firehose.x\": \"<&>\"\n}"
	if res := awsfake.Send(o, cfg, pub); res.Status != saplugin.Delivered || !strings.HasPrefix(res.Message, "aws-firehose: record ") {
		t.Fatalf("%s (%s)", res.Status, res.Message)
	}
	if got := string(s.Only(t, "PutRecord").Blob("Record", "Data")); got != `{"z":1,"a":{"k":[true,null,1.50]},"@aws-firehose.x":"<&>"}`+"\n" {
		t.Errorf("data %q", got)
	}
}

func TestTooLarge(t *testing.T) {
	s, o, raw := setup(t)
	cfg := httpouttest.Configure(t, o, "alerts", raw)
	// The record is the publication plus a newline: 1000 KiB of it is one
	// byte too many.
	pub := `{"k":"` + strings.Repeat("x", awsout.FirehoseRecordLimit-len(`{"k":""}`)) + `"}`
	res := awsfake.Send(o, cfg, pub)
	if res.Status != saplugin.Permanent || !strings.Contains(res.Message, "record is 1024001 bytes, over the Firehose limit of 1024000 bytes") {
		t.Fatalf("%s (%s)", res.Status, res.Message)
	}
	if n := len(s.Calls()); n != 0 {
		t.Errorf("%d calls for a record over the limit", n)
	}
	pub = `{"k":"` + strings.Repeat("x", awsout.FirehoseRecordLimit-len(`{"k":""}`)-1) + `"}`
	if res := awsfake.Send(o, cfg, pub); res.Status != saplugin.Delivered {
		t.Fatalf("at the limit: %s (%s)", res.Status, res.Message)
	}
}
