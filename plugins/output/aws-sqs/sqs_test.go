package main

import (
	"io"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"testing"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/awsfake"
	"github.com/streamalert-go/sa/internal/httpouttest"
	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

const queueName = "sa-alerts"

// newTest returns the plugin logging to logs, with no wait between the
// SDK's attempts.
func newTest(logs io.Writer) *awsout.Output[*queue] {
	o := New()
	o.Log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o.MaxBackoff = 0
	return o
}

// setup starts the fake with the queue and configures a plugin for it.
func setup(t *testing.T, extra map[string]any) (*awsfake.Server, *awsout.Output[*queue], schema.Config) {
	t.Helper()
	s := awsfake.New(t)
	s.AddQueue(queueName)
	o := newTest(secrettest.NewWriter(t, awsfake.Secrets))
	raw := map[string]any{"descriptor": "alerts", "aws_value": queueName}
	maps.Copy(raw, extra)
	return s, o, httpouttest.Configure(t, o, "alerts", s.Config(t, raw))
}

var send = awsfake.Send

func TestSuite(t *testing.T) {
	awsfake.Suite{
		Package: "plugins/output/aws-sqs",
		Name:    "aws-sqs",
		New:     func(logs io.Writer) awsfake.Plugin { return newTest(logs) },
		Setup: func(s *awsfake.Server) map[string]any {
			s.AddQueue(queueName)
			return map[string]any{"descriptor": "alerts", "aws_value": queueName}
		},
		Missing: func(*awsfake.Server) map[string]any { return map[string]any{"descriptor": "gone", "aws_value": "gone"} },
		Op:      "SendMessage",
		Delivered: func(t *testing.T, c awsfake.Call) {
			if c.String("MessageBody") != awsfake.TestRecord || !strings.HasSuffix(c.String("QueueUrl"), "/"+queueName) {
				t.Errorf("SendMessage %v, want the record without normalization", c.JSON)
			}
		},
	}.Run(t)
}

func TestSchema(t *testing.T) {
	if err := configSchema.Check(); err != nil {
		t.Fatal(err)
	}
	p, _ := configSchema.Property("aws_value")
	if !p.Required || p.Secret || p.Credential {
		t.Errorf("aws_value %+v: want StreamAlert's plain, required queue name", p)
	}
}

func TestValidateConfig(t *testing.T) {
	base := map[string]any{"descriptor": "alerts", "aws_value": queueName, "region": "us-east-1"}
	tests := []struct {
		name  string
		set   map[string]any
		field string
	}{
		{"valid", nil, ""},
		{"fifo", map[string]any{"aws_value": "alerts.fifo"}, ""},
		{"queue url", map[string]any{"aws_value": "https://sqs.us-east-1.amazonaws.com/123456789012/sa-alerts"}, ""},
		{"bad name", map[string]any{"aws_value": "sa/alerts"}, "aws_value"},
		{"http url", map[string]any{"aws_value": "http://sqs.us-east-1.amazonaws.com/123456789012/q"}, "aws_value"},
		{"no region", map[string]any{"region": nil}, "region"},
		{"bad region", map[string]any{"region": "useast1"}, "region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := map[string]any{}
			for k, v := range base {
				raw[k] = v
			}
			for k, v := range tt.set {
				if v == nil {
					delete(raw, k)
				} else {
					raw[k] = v
				}
			}
			problems := httpouttest.Problems(New(), raw)
			if tt.field == "" && len(problems) > 0 || tt.field != "" && (len(problems) != 1 || problems[0].Field != tt.field) {
				t.Fatalf("problems %v, want one on %q", problems, tt.field)
			}
		})
	}
}

func TestSendRecord(t *testing.T) {
	s, o, cfg := setup(t, nil)
	for range 2 {
		if res := send(o, cfg, ""); res.Status != saplugin.Delivered || !strings.HasPrefix(res.Message, "aws-sqs: message ") {
			t.Fatalf("%s (%s), want delivered", res.Status, res.Message)
		}
	}
	if n := len(s.Calls("GetQueueUrl")); n != 1 {
		t.Errorf("%d GetQueueUrl calls, want the URL looked up once", n)
	}
	get := s.Calls("GetQueueUrl")[0]
	if get.String("QueueName") != queueName || get.Header.Get("X-Amz-Target") != "AmazonSQS.GetQueueUrl" {
		t.Errorf("GetQueueUrl %v", get.JSON)
	}
	msgs := s.Calls("SendMessage")
	if len(msgs) != 2 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	if m.String("QueueUrl") != s.QueueURL(queueName) || m.String("MessageBody") != awsfake.TestRecord {
		t.Errorf("SendMessage %v, want the record without normalization to %s", m.JSON, s.QueueURL(queueName))
	}
	if m.Get("MessageGroupId") != nil || m.AccessKeyID != awsfake.AccessKeyID || m.Region != awsfake.Region {
		t.Errorf("SendMessage %v signed by %s in %s", m.JSON, m.AccessKeyID, m.Region)
	}
}

func TestSendPublicationField(t *testing.T) {
	s, o, cfg := setup(t, nil)
	pub := `{"@aws-sqs.message_data": {"alert": "root_login", "n": [1, 2.50]}}`
	if res := send(o, cfg, pub); res.Status != saplugin.Delivered {
		t.Fatalf("%s (%s)", res.Status, res.Message)
	}
	if got := s.Only(t, "SendMessage").String("MessageBody"); got != `{"alert":"root_login","n":[1,2.50]}` {
		t.Errorf("body %s", got)
	}
}

func TestSendFIFO(t *testing.T) {
	s := awsfake.New(t)
	s.AddQueue("alerts.fifo")
	o := newTest(io.Discard)
	cfg := httpouttest.Configure(t, o, "alerts", s.Config(t, map[string]any{"descriptor": "alerts", "aws_value": "alerts.fifo"}))
	if res := send(o, cfg, ""); res.Status != saplugin.Delivered {
		t.Fatalf("%s (%s)", res.Status, res.Message)
	}
	m := s.Only(t, "SendMessage")
	if m.String("MessageGroupId") != awsfake.TestRule || m.String("MessageDeduplicationId") != awsfake.TestAlertID {
		t.Errorf("FIFO message %v: want the rule as group and the alert id as deduplication id", m.JSON)
	}
}

func TestSendByURL(t *testing.T) {
	s, o, _ := setup(t, nil)
	cfg := httpouttest.Configure(t, o, "alerts", s.Config(t, map[string]any{"descriptor": "alerts", "aws_value": s.QueueURL(queueName)}))
	if res := send(o, cfg, ""); res.Status != saplugin.Delivered {
		t.Fatalf("%s (%s)", res.Status, res.Message)
	}
	if n := len(s.Calls("GetQueueUrl")); n != 0 {
		t.Errorf("%d GetQueueUrl calls for a configured URL", n)
	}
}

func TestMissingQueue(t *testing.T) {
	s, o, cfg := setup(t, nil)
	s.DeleteQueue(queueName)
	res := send(o, cfg, "")
	if res.Status != saplugin.Permanent || !strings.Contains(res.Message, "NonExistentQueue") || !strings.Contains(res.Message, "GetQueueUrl") {
		t.Fatalf("%s (%s), want permanent naming the error", res.Status, res.Message)
	}
	s.AddQueue(queueName)
	if res := send(o, cfg, ""); res.Status != saplugin.Delivered {
		t.Fatalf("after creation: %s (%s)", res.Status, res.Message)
	}
	// Deleted after its URL was cached: SendMessage fails, the URL is
	// forgotten, and the queue made again is found.
	s.DeleteQueue(queueName)
	if res := send(o, cfg, ""); res.Status != saplugin.Permanent || !strings.Contains(res.Message, "SQS SendMessage: AWS.SimpleQueueService.NonExistentQueue") {
		t.Fatalf("deleted queue: %s (%s)", res.Status, res.Message)
	}
	s.AddQueue(queueName)
	if res := send(o, cfg, ""); res.Status != saplugin.Delivered {
		t.Fatalf("recreated: %s (%s)", res.Status, res.Message)
	}
	if n := len(s.Calls("GetQueueUrl")); n != 3 {
		t.Errorf("%d GetQueueUrl calls, want 3", n)
	}
}

func TestTooLarge(t *testing.T) {
	s, o, cfg := setup(t, nil)
	pub := `{"@aws-sqs.message_data":"` + strings.Repeat("x", awsout.SQSMessageLimit) + `"}`
	res := send(o, cfg, pub)
	if res.Status != saplugin.Permanent || !strings.Contains(res.Message, "over the SQS limit of 1048576 bytes") {
		t.Fatalf("%s (%s)", res.Status, res.Message)
	}
	if n := len(s.Calls()); n != 0 {
		t.Errorf("%d calls made for a message over the limit", n)
	}
}

// TestConcurrentSends: one process sends many alerts at once through one
// instance; the queue URL is looked up once.
func TestConcurrentSends(t *testing.T) {
	s, o, cfg := setup(t, nil)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if res := send(o, cfg, ""); res.Status != saplugin.Delivered {
				t.Errorf("%s (%s)", res.Status, res.Message)
			}
		})
	}
	wg.Wait()
	if n, m := len(s.Calls("GetQueueUrl")), len(s.Calls("SendMessage")); n != 1 || m != 16 {
		t.Errorf("%d lookups and %d messages, want 1 and 16", n, m)
	}
}
