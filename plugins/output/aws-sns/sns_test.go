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

const topicName = "sa-alerts"

func newTest(logs io.Writer) *awsout.Output[*topic] {
	o := New()
	o.Log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o.MaxBackoff = 0
	return o
}

// publish configures a plugin with props against s and sends one alert.
func publish(t *testing.T, s *awsfake.Server, props map[string]any, pub string) saplugin.SendResult {
	t.Helper()
	o := newTest(io.Discard)
	return awsfake.Send(o, httpouttest.Configure(t, o, "alerts", s.Config(t, props)), pub)
}

func TestSuite(t *testing.T) {
	awsfake.Suite{
		Package: "plugins/output/aws-sns",
		Name:    "aws-sns",
		New:     func(logs io.Writer) awsfake.Plugin { return newTest(logs) },
		Setup: func(s *awsfake.Server) map[string]any {
			s.AddTopic(topicName)
			return map[string]any{"descriptor": "alerts", "aws_value": topicName}
		},
		Missing: func(*awsfake.Server) map[string]any { return map[string]any{"descriptor": "gone", "aws_value": "gone"} },
		Op:      "Publish",
		Delivered: func(t *testing.T, c awsfake.Call) {
			want, _ := awsout.Pretty([]byte(awsfake.TestAlert))
			f := c.Form
			if f.Get("TopicArn") != "arn:aws:sns:us-east-1:123456789012:"+topicName || f.Get("Message") != want ||
				f.Get("Subject") != awsfake.TestRule+" triggered alert "+awsfake.TestAlertID {
				t.Errorf("Publish %v", f)
			}
		},
	}.Run(t)
}

func TestValidateConfig(t *testing.T) {
	const arn = "arn:aws:sns:eu-west-1:210987654321:sa-alerts"
	tests := []struct {
		name  string
		raw   map[string]any
		field string
	}{
		{"name and region", map[string]any{"aws_value": "sa-alerts", "region": "us-east-1"}, ""},
		{"arn without region", map[string]any{"aws_value": arn}, ""},
		{"arn and its region", map[string]any{"aws_value": arn, "region": "eu-west-1"}, ""},
		{"fifo name", map[string]any{"aws_value": "alerts.fifo", "region": "us-east-1"}, ""},
		{"name without region", map[string]any{"aws_value": "sa-alerts"}, "region"},
		{"arn and another region", map[string]any{"aws_value": arn, "region": "us-east-1"}, "region"},
		{"arn of another account", map[string]any{"aws_value": arn, "account_id": "123456789012"}, "account_id"},
		{"bad name", map[string]any{"aws_value": "sa.alerts", "region": "us-east-1"}, "aws_value"},
		{"sqs arn", map[string]any{"aws_value": "arn:aws:sqs:eu-west-1:210987654321:q"}, "aws_value"},
		{"short account", map[string]any{"aws_value": "sa-alerts", "region": "us-east-1", "account_id": "1234"}, "account_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.raw["descriptor"] = "alerts"
			p := httpouttest.Problems(New(), tt.raw)
			if tt.field == "" && len(p) > 0 || tt.field != "" && (len(p) != 1 || p[0].Field != tt.field) {
				t.Fatalf("problems %v, want one on %q", p, tt.field)
			}
		})
	}
}

// TestTopicForms: an ARN names its region and account, a name with
// account_id needs no identity lookup, a bare name asks STS once.
func TestTopicForms(t *testing.T) {
	s := awsfake.New(t)
	arn := s.AddTopic(topicName)
	if res := publish(t, s, map[string]any{"descriptor": "a", "aws_value": arn, "region": nil}, ""); res.Status != saplugin.Delivered {
		t.Fatalf("arn: %s (%s)", res.Status, res.Message)
	}
	if res := publish(t, s, map[string]any{"descriptor": "a", "aws_value": topicName, "account_id": awsfake.Account}, ""); res.Status != saplugin.Delivered {
		t.Fatalf("account_id: %s (%s)", res.Status, res.Message)
	}
	if n := len(s.Calls("GetCallerIdentity")); n != 0 {
		t.Errorf("%d identity lookups for a known account", n)
	}
	o := newTest(io.Discard)
	cfg := httpouttest.Configure(t, o, "alerts", s.Config(t, map[string]any{"descriptor": "a", "aws_value": topicName}))
	for range 2 {
		if res := awsfake.Send(o, cfg, ""); res.Status != saplugin.Delivered {
			t.Fatalf("name: %s (%s)", res.Status, res.Message)
		}
	}
	if n := len(s.Calls("GetCallerIdentity")); n != 1 {
		t.Errorf("%d identity lookups, want one", n)
	}
	for _, c := range s.Calls("Publish") {
		if c.Form.Get("TopicArn") != arn {
			t.Errorf("TopicArn %s, want %s", c.Form.Get("TopicArn"), arn)
		}
	}
}

func TestPublicationFields(t *testing.T) {
	tests := []struct {
		name, pub, subject, message string
	}{
		{"custom", `{"@aws-sns.topic":"Root login","@aws-sns.message":"root logged in on db1"}`, "Root login", "root logged in on db1"},
		{"object message", `{"@aws-sns.message":{"b":1,"a":2}}`, awsfake.TestRule + " triggered alert " + awsfake.TestAlertID, `{"b":1,"a":2}`},
		{"pretty default", `{"b":1,"a":{"y":[1,2.50],"x":"<v>","e":[]}}`, awsfake.TestRule + " triggered alert " + awsfake.TestAlertID,
			"{\n  \"a\": {\n    \"e\": [],\n    \"x\": \"<v>\",\n    \"y\": [\n      1,\n      2.50\n    ]\n  },\n  \"b\": 1\n}"},
		{"line breaks", `{"@aws-sns.topic":"Root\nlogin\r\tnow ","@aws-sns.message":"m"}`, "Root login  now", "m"},
		{"long subject", `{"@aws-sns.topic":"` + strings.Repeat("a", 60) + strings.Repeat("z", 60) + `","@aws-sns.message":"m"}`,
			strings.Repeat("a", 47) + " ... " + strings.Repeat("z", 47), "m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := awsfake.New(t)
			s.AddTopic(topicName)
			if res := publish(t, s, map[string]any{"descriptor": "a", "aws_value": topicName, "account_id": awsfake.Account}, tt.pub); res.Status != saplugin.Delivered {
				t.Fatalf("%s (%s)", res.Status, res.Message)
			}
			f := s.Only(t, "Publish").Form
			if f.Get("Subject") != tt.subject || f.Get("Message") != tt.message {
				t.Errorf("subject %q message %q, want %q %q", f.Get("Subject"), f.Get("Message"), tt.subject, tt.message)
			}
		})
	}
}

func TestFIFO(t *testing.T) {
	s := awsfake.New(t)
	s.AddTopic("alerts.fifo")
	if res := publish(t, s, map[string]any{"descriptor": "a", "aws_value": "alerts.fifo", "account_id": awsfake.Account}, ""); res.Status != saplugin.Delivered {
		t.Fatalf("%s (%s)", res.Status, res.Message)
	}
	f := s.Only(t, "Publish").Form
	if f.Get("MessageGroupId") != awsfake.TestRule || f.Get("MessageDeduplicationId") != awsfake.TestAlertID {
		t.Errorf("FIFO publish %v", f)
	}
}

func TestTooLarge(t *testing.T) {
	s := awsfake.New(t)
	s.AddTopic(topicName)
	pub := `{"@aws-sns.message":"` + strings.Repeat("x", awsout.SNSMessageLimit+1) + `"}`
	res := publish(t, s, map[string]any{"descriptor": "a", "aws_value": topicName, "account_id": awsfake.Account}, pub)
	if res.Status != saplugin.Permanent || !strings.Contains(res.Message, "message is 262145 bytes, over the SNS limit of 262144 bytes") {
		t.Fatalf("%s (%s)", res.Status, res.Message)
	}
	if n := len(s.Calls()); n != 0 {
		t.Errorf("%d calls", n)
	}
}
