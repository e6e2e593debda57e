package main

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/internal/awsfake"
	"github.com/streamalert-go/sa/internal/httpouttest"
	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
	"github.com/streamalert-go/sa/plugins/output/internal/awsout/lambdaout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

const fnName = "sa-alert-handler"

func newTest(logs io.Writer) *awsout.Output[*lambdaout.Target] {
	o := New()
	o.Log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o.MaxBackoff = 0
	return o
}

func invoke(t *testing.T, s *awsfake.Server, props map[string]any, pub string) saplugin.SendResult {
	t.Helper()
	o := newTest(io.Discard)
	return awsfake.Send(o, httpouttest.Configure(t, o, "alerts", s.Config(t, props)), pub)
}

func TestSuite(t *testing.T) {
	awsfake.Suite{
		Package: "plugins/output/aws-lambda",
		Name:    "aws-lambda",
		New:     func(logs io.Writer) awsfake.Plugin { return newTest(logs) },
		Setup: func(s *awsfake.Server) map[string]any {
			s.AddFunction(fnName, "production")
			return map[string]any{"descriptor": "alerts", "aws_value": fnName + ":production"}
		},
		Missing: func(*awsfake.Server) map[string]any { return map[string]any{"descriptor": "gone", "aws_value": "gone"} },
		Op:      "Invoke",
		Delivered: func(t *testing.T, c awsfake.Call) {
			if c.Path != "/2015-03-31/functions/"+fnName+"/invocations" || c.Query.Get("Qualifier") != "production" ||
				c.Header.Get("X-Amz-Invocation-Type") != "Event" || string(c.Body) != awsfake.TestRecord {
				t.Errorf("Invoke %s?%s type %s body %s", c.Path, c.Query.Encode(), c.Header.Get("X-Amz-Invocation-Type"), c.Body)
			}
		},
	}.Run(t)
}

// TestFunctionForms: every form StreamAlert documents reaches the same
// function; an ARN keeps its account and region rather than being cut to
// a bare name.
func TestFunctionForms(t *testing.T) {
	arn := "arn:aws:lambda:us-east-1:123456789012:function:" + fnName
	tests := []struct {
		value, path, qualifier string
		region                 any
	}{
		{fnName, fnName, "", awsfake.Region},
		{fnName + ":production", fnName, "production", awsfake.Region},
		{"123456789012:function:" + fnName, "123456789012:function:" + fnName, "", awsfake.Region},
		{arn, arn, "", nil},
		{arn + ":production", arn, "production", nil},
		{arn + ":$LATEST", arn, "$LATEST", "us-east-1"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			s := awsfake.New(t)
			s.AddFunction(fnName, "production")
			res := invoke(t, s, map[string]any{"descriptor": "a", "aws_value": tt.value, "region": tt.region}, "")
			if res.Status != saplugin.Delivered {
				t.Fatalf("%s (%s)", res.Status, res.Message)
			}
			c := s.Only(t, "Invoke")
			if c.Path != "/2015-03-31/functions/"+tt.path+"/invocations" || c.Query.Get("Qualifier") != tt.qualifier {
				t.Errorf("Invoke %s?%s, want function %s qualifier %q", c.Path, c.Query.Encode(), tt.path, tt.qualifier)
			}
		})
	}
}

func TestValidateConfig(t *testing.T) {
	tests := []struct {
		value  string
		region any
		field  string
	}{
		{"fn", "us-east-1", ""},
		{"fn", nil, "region"},
		{"arn:aws:lambda:eu-west-1:123456789012:function:fn", "us-east-1", "region"},
		{"arn:aws:lambda:eu-west-1:123456789012:function:fn", nil, ""},
		{"arn:aws-cn:lambda:cn-north-1:123456789012:function:fn:1", nil, ""},
		{"fn:prod:extra", "us-east-1", "aws_value"},
		{"arn:aws:sqs:eu-west-1:123456789012:function:fn", nil, "aws_value"},
		{"arn:aws:lambda:eu-west-1:1234:function:fn", nil, "aws_value"},
		{"fn:bad.qualifier", "us-east-1", "aws_value"},
		{"f/n", "us-east-1", "aws_value"},
	}
	for _, tt := range tests {
		raw := map[string]any{"descriptor": "a", "aws_value": tt.value}
		if tt.region != nil {
			raw["region"] = tt.region
		}
		p := httpouttest.Problems(New(), raw)
		if tt.field == "" && len(p) > 0 || tt.field != "" && (len(p) != 1 || p[0].Field != tt.field) {
			t.Errorf("%s in %v: problems %v, want one on %q", tt.value, tt.region, p, tt.field)
		}
	}
}

func TestPayload(t *testing.T) {
	s := awsfake.New(t)
	s.AddFunction(fnName)
	props := map[string]any{"descriptor": "a", "aws_value": fnName}
	if res := invoke(t, s, props, `{"@aws-lambda.alert_data": {"b": [1, 2], "a": null}}`); res.Status != saplugin.Delivered ||
		res.Message != "aws-lambda: invocation queued (HTTP 202)" {
		t.Fatalf("%s (%s)", res.Status, res.Message)
	}
	if got := string(s.Only(t, "Invoke").Body); got != `{"b":[1,2],"a":null}` {
		t.Errorf("payload %s", got)
	}
	big := `{"@aws-lambda.alert_data":"` + strings.Repeat("x", awsout.LambdaEventLimit) + `"}`
	res := invoke(t, s, props, big)
	if res.Status != saplugin.Permanent || !strings.Contains(res.Message, "over the Lambda asynchronous invocation limit of 1048576 bytes") {
		t.Fatalf("too large: %s (%s)", res.Status, res.Message)
	}
	if n := len(s.Calls("Invoke")); n != 1 {
		t.Errorf("%d invocations, want none for the large payload", n)
	}
}

// TestThrottleWait: Lambda's throttling answer names a wait in its
// Retry-After header and body; the result carries it.
func TestThrottleWait(t *testing.T) {
	s := awsfake.New(t)
	s.AddFunction(fnName)
	s.Fail("Invoke", -1, awsfake.Throttle)
	res := invoke(t, s, map[string]any{"descriptor": "a", "aws_value": fnName}, "")
	if res.Status != saplugin.Retryable || res.RetryAfter != 7*time.Second || !strings.Contains(res.Message, "TooManyRequestsException: Rate Exceeded. (HTTP 429") {
		t.Fatalf("%s (%s) wait %s", res.Status, res.Message, res.RetryAfter)
	}
}
