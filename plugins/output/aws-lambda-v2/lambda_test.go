package main

import (
	"io"
	"log/slog"
	"testing"

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

func TestSuite(t *testing.T) {
	awsfake.Suite{
		Package: "plugins/output/aws-lambda-v2",
		Name:    "aws-lambda-v2",
		New:     func(logs io.Writer) awsfake.Plugin { return newTest(logs) },
		Setup: func(s *awsfake.Server) map[string]any {
			arn := s.AddFunction(fnName, "production")
			return map[string]any{"descriptor": "alerts", "lambda_function_arn": arn, "function_qualifier": "production", "region": nil}
		},
		Missing: func(*awsfake.Server) map[string]any {
			return map[string]any{"descriptor": "gone", "lambda_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:gone"}
		},
		Op: "Invoke",
		Delivered: func(t *testing.T, c awsfake.Call) {
			arn := "arn:aws:lambda:us-east-1:123456789012:function:" + fnName
			if c.Path != "/2015-03-31/functions/"+arn+"/invocations" || c.Query.Get("Qualifier") != "production" ||
				c.Header.Get("X-Amz-Invocation-Type") != "Event" || string(c.Body) != awsfake.TestRecord {
				t.Errorf("Invoke %s?%s type %s body %s", c.Path, c.Query.Encode(), c.Header.Get("X-Amz-Invocation-Type"), c.Body)
			}
		},
	}.Run(t)
}

func TestSchema(t *testing.T) {
	if err := configSchema.Check(); err != nil {
		t.Fatal(err)
	}
	// StreamAlert keeps all three with the credentials.
	for _, name := range []string{"lambda_function_arn", "function_qualifier", "assume_role_arn"} {
		if p, _ := configSchema.Property(name); !p.Credential || p.Secret || p.ForbiddenChars != " " {
			t.Errorf("%s: %+v", name, p)
		}
	}
}

func TestValidateConfig(t *testing.T) {
	const arn = "arn:aws:lambda:eu-west-1:123456789012:function:fn"
	tests := []struct {
		name  string
		raw   map[string]any
		field string
	}{
		{"arn", map[string]any{"lambda_function_arn": arn}, ""},
		{"arn and qualifier", map[string]any{"lambda_function_arn": arn, "function_qualifier": "7"}, ""},
		{"qualified arn", map[string]any{"lambda_function_arn": arn + ":prod", "function_qualifier": "prod"}, ""},
		{"two qualifiers", map[string]any{"lambda_function_arn": arn + ":prod", "function_qualifier": "dev"}, "function_qualifier"},
		{"bad qualifier", map[string]any{"lambda_function_arn": arn, "function_qualifier": "a.b"}, "function_qualifier"},
		{"name needs region", map[string]any{"lambda_function_arn": "fn"}, "region"},
		{"name and region", map[string]any{"lambda_function_arn": "fn", "region": "eu-west-1"}, ""},
		{"bad role", map[string]any{"lambda_function_arn": arn, "assume_role_arn": "arn:aws:iam::123456789012:user/x"}, "assume_role_arn"},
		{"external id alone", map[string]any{"lambda_function_arn": arn, "external_id": "abc"}, "external_id"},
		{"endpoint http", map[string]any{"lambda_function_arn": arn, "endpoint_url": "http://lambda.example.com"}, "endpoint_url"},
		{"endpoint localhost", map[string]any{"lambda_function_arn": arn, "endpoint_url": "http://127.0.0.1:4566"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.raw["descriptor"] = "a"
			p := httpouttest.Problems(New(), tt.raw)
			if tt.field == "" && len(p) > 0 || tt.field != "" && (len(p) != 1 || p[0].Field != tt.field) {
				t.Fatalf("problems %v, want one on %q", p, tt.field)
			}
		})
	}
}

// TestQualifiedARN: a qualifier in the ARN is used when the property is
// not set.
func TestQualifiedARN(t *testing.T) {
	s := awsfake.New(t)
	arn := s.AddFunction(fnName, "7")
	o := newTest(io.Discard)
	cfg := httpouttest.Configure(t, o, "a", s.Config(t, map[string]any{"descriptor": "a", "lambda_function_arn": arn + ":7"}))
	if res := o.Send(t.Context(), saplugin.SendRequest{Instance: "a", Config: cfg, Alert: []byte(awsfake.TestAlert)}); res.Status != saplugin.Delivered {
		t.Fatalf("%s (%s)", res.Status, res.Message)
	}
	if c := s.Only(t, "Invoke"); c.Query.Get("Qualifier") != "7" || c.Path != "/2015-03-31/functions/"+arn+"/invocations" {
		t.Errorf("Invoke %s?%s", c.Path, c.Query.Encode())
	}
}
