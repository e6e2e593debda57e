package awsout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// apiErr builds an SDK error as a failed call returns it.
func apiErr(service, op string, status int, code, msg string, fault smithy.ErrorFault, header http.Header) error {
	resp := &http.Response{StatusCode: status, Header: header}
	if resp.Header == nil {
		resp.Header = http.Header{}
	}
	return &smithy.OperationError{ServiceID: service, OperationName: op, Err: &awshttp.ResponseError{
		RequestID: "req-1",
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: resp},
			Err: &smithy.GenericAPIError{Code: code, Message: msg, Fault: fault}},
	}}
}

func TestProperties(t *testing.T) {
	for _, opts := range []CommonOptions{{}, {RegionOptional: true}, {RoleIsCredential: true}} {
		sc := Schema(Descriptor("d"), nil, opts)
		if err := sc.Check(); err != nil {
			t.Fatalf("%+v: %v", opts, err)
		}
		region, _ := sc.Property(PropRegion)
		role, _ := sc.Property(PropAssumeRoleARN)
		if region.Required == opts.RegionOptional || role.Credential != opts.RoleIsCredential || role.Secret {
			t.Errorf("%+v: region %+v role %+v", opts, region, role)
		}
		for _, name := range []string{PropSecretKey, PropSessionToken} {
			if p, _ := sc.Property(name); !p.Secret || !p.Credential {
				t.Errorf("%s %+v: want a masked credential", name, p)
			}
		}
		if d := sc.Properties[0]; !d.Descriptor || d.ForbiddenChars != " :" {
			t.Errorf("descriptor %+v", d)
		}
	}
}

func TestClassify(t *testing.T) {
	now := time.Unix(1700000000, 0)
	wait := http.Header{"Retry-After": {"30"}}
	netErr := &smithy.OperationError{ServiceID: "SQS", OperationName: "SendMessage",
		Err: &smithyhttp.RequestSendError{Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}}
	role := &smithy.OperationError{ServiceID: "SQS", OperationName: "SendMessage",
		Err: fmt.Errorf("failed to refresh cached credentials, %w", apiErr("STS", "AssumeRole", 403, "AccessDenied", "not allowed", smithy.FaultClient, nil))}
	tests := []struct {
		name   string
		err    error
		status saplugin.SendStatus
		msg    string
		wait   time.Duration
	}{
		{"throttling", apiErr("Firehose", "PutRecord", 400, "ThrottlingException", "Rate exceeded", smithy.FaultClient, nil),
			saplugin.Retryable, "Firehose PutRecord: ThrottlingException: Rate exceeded (HTTP 400, request id req-1)", 0},
		{"sns throttled", apiErr("SNS", "Publish", 429, "Throttled", "x", smithy.FaultClient, wait), saplugin.Retryable, "Throttled", 30 * time.Second},
		{"kms throttling", apiErr("SQS", "SendMessage", 400, "KmsThrottled", "x", smithy.FaultClient, nil), saplugin.Retryable, "KmsThrottled", 0},
		{"query code", apiErr("SQS", "SendMessage", 400, "AWS.SimpleQueueService.RequestThrottled", "x", smithy.FaultClient, nil), saplugin.Retryable, "", 0},
		{"503", apiErr("S3", "PutObject", 503, "SlowDown", "Please reduce your request rate.", smithy.FaultServer, nil), saplugin.Retryable, "SlowDown", 0},
		{"500 unknown code", apiErr("SNS", "Publish", 500, "Weird", "", smithy.FaultUnknown, nil), saplugin.Retryable, "SNS Publish: Weird (HTTP 500, request id req-1)", 0},
		{"server fault", apiErr("X", "Op", 400, "Odd", "", smithy.FaultServer, nil), saplugin.Retryable, "", 0},
		{"function updating", apiErr("Lambda", "Invoke", 409, "ResourceConflictException", "", smithy.FaultClient, nil), saplugin.Retryable, "", 0},
		{"access denied", apiErr("SQS", "SendMessage", 403, "AccessDenied", "Access to the resource is denied.", smithy.FaultClient, wait),
			saplugin.Permanent, "SQS SendMessage: AccessDenied: Access to the resource is denied. (HTTP 403, request id req-1)", 0},
		{"not found", apiErr("SQS", "GetQueueUrl", 400, "AWS.SimpleQueueService.NonExistentQueue", "gone", smithy.FaultClient, nil), saplugin.Permanent, "NonExistentQueue", 0},
		{"validation", apiErr("SNS", "Publish", 400, "InvalidParameter", "Invalid parameter: Subject", smithy.FaultClient, nil), saplugin.Permanent, "InvalidParameter", 0},
		{"too large", apiErr("Lambda", "Invoke", 413, "RequestTooLargeException", "", smithy.FaultClient, nil), saplugin.Permanent, "", 0},
		{"role refused", role, saplugin.Permanent, "STS AssumeRole: AccessDenied: not allowed (HTTP 403, request id req-1)", 0},
		{"connection", netErr, saplugin.Retryable, "SQS SendMessage: request send failed, dial: connection refused", 0},
		{"deadline", fmt.Errorf("send: %w", context.DeadlineExceeded), saplugin.Retryable, "send: context deadline exceeded", 0},
		{"body wait", WithRetryAfter(apiErr("Lambda", "Invoke", 429, "TooManyRequestsException", "", smithy.FaultClient, nil), 9*time.Second),
			saplugin.Retryable, "", 9 * time.Second},
		{"wait capped", WithRetryAfter(apiErr("Lambda", "Invoke", 429, "TooManyRequestsException", "", smithy.FaultClient, nil), time.Hour),
			saplugin.Retryable, "", MaxRetryAfter},
		{"failure", Permanentf("record is %d bytes", 5), saplugin.Permanent, "record is 5 bytes", 0},
		{"other", errors.New("no EC2 IMDS role found"), saplugin.Permanent, "no EC2 IMDS role found", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Classify(tt.err, now)
			if res.Status != tt.status || !strings.Contains(res.Message, tt.msg) || res.RetryAfter != tt.wait {
				t.Errorf("got %s %q wait %s, want %s %q wait %s", res.Status, res.Message, res.RetryAfter, tt.status, tt.msg, tt.wait)
			}
		})
	}
}

func TestParseSettings(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	const role = "arn:aws:iam::123456789012:role/path/sa"
	tests := []struct {
		name      string
		cfg       schema.Config
		arnRegion string
		field     string
	}{
		{"region", schema.Config{"region": "eu-west-1"}, "", ""},
		{"arn region", schema.Config{}, "eu-west-1", ""},
		{"both agree", schema.Config{"region": "eu-west-1"}, "eu-west-1", ""},
		{"both differ", schema.Config{"region": "us-east-1"}, "eu-west-1", "region"},
		{"no region", schema.Config{}, "", "region"},
		{"https endpoint", schema.Config{"region": "r", "endpoint_url": "https://vpce.example.com/"}, "", ""},
		{"localhost endpoint", schema.Config{"region": "r", "endpoint_url": "http://localhost:4566"}, "", ""},
		{"ipv6 loopback", schema.Config{"region": "r", "endpoint_url": "http://[::1]:4566"}, "", ""},
		{"http endpoint", schema.Config{"region": "r", "endpoint_url": "http://10.0.0.1:4566"}, "", "endpoint_url"},
		{"ftp endpoint", schema.Config{"region": "r", "endpoint_url": "ftp://x"}, "", "endpoint_url"},
		{"user info", schema.Config{"region": "r", "endpoint_url": "https://u:p@x"}, "", "endpoint_url"},
		{"query", schema.Config{"region": "r", "sts_endpoint_url": "https://x/?a=b"}, "", "sts_endpoint_url"},
		{"relative", schema.Config{"region": "r", "sts_endpoint_url": "sts.amazonaws.com"}, "", "sts_endpoint_url"},
		{"role", schema.Config{"region": "r", "assume_role_arn": role, "external_id": schema.Secret("ext:1/a")}, "", ""},
		{"user arn", schema.Config{"region": "r", "assume_role_arn": "arn:aws:iam::123456789012:user/sa"}, "", "assume_role_arn"},
		{"role without name", schema.Config{"region": "r", "assume_role_arn": "arn:aws:iam::123456789012:role/"}, "", "assume_role_arn"},
		{"external id alone", schema.Config{"region": "r", "external_id": schema.Secret("abc")}, "", "external_id"},
		{"short external id", schema.Config{"region": "r", "assume_role_arn": role, "external_id": schema.Secret("a")}, "", "external_id"},
		{"bad external id", schema.Config{"region": "r", "assume_role_arn": role, "external_id": schema.Secret("a b")}, "", "external_id"},
		{"keys", schema.Config{"region": "r", "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": schema.Secret("s")}, "", ""},
		{"id alone", schema.Config{"region": "r", "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE"}, "", "aws_secret_access_key"},
		{"secret alone", schema.Config{"region": "r", "aws_secret_access_key": schema.Secret("s")}, "", "aws_access_key_id"},
		{"token alone", schema.Config{"region": "r", "aws_session_token": schema.Secret("t")}, "", "aws_access_key_id"},
		{"short id", schema.Config{"region": "r", "aws_access_key_id": "AKIA", "aws_secret_access_key": schema.Secret("s")}, "", "aws_access_key_id"},
		{"bad CA", schema.Config{"region": "r", "ca_file": ca}, "", "ca_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, problems := ParseSettings(tt.cfg, tt.arnRegion, "aws_value")
			if tt.field == "" && len(problems) > 0 || tt.field != "" && (len(problems) != 1 || problems[0].Field != tt.field) {
				t.Fatalf("problems %v, want one on %q", problems, tt.field)
			}
			if tt.field == "" && tt.arnRegion != "" && s.Region != tt.arnRegion {
				t.Errorf("region %q, want the ARN's", s.Region)
			}
			for _, p := range problems {
				secrettest.AssertNoLeak(t, []string{"ext:1/a", "u:p@x"}, p.Message)
			}
		})
	}
	s, _ := ParseSettings(schema.Config{"region": "r", "endpoint_url": "https://vpce.example.com/"}, "", "x")
	if s.Endpoint != "https://vpce.example.com" {
		t.Errorf("endpoint %q, want it without the trailing slash", s.Endpoint)
	}
}

func TestParseFunction(t *testing.T) {
	arn := "arn:aws:lambda:eu-west-1:123456789012:function:fn"
	tests := []struct {
		in                      string
		name, qualifier, region string
		bad                     bool
	}{
		{in: "fn", name: "fn"},
		{in: "fn:prod", name: "fn", qualifier: "prod"},
		{in: "fn:$LATEST", name: "fn", qualifier: "$LATEST"},
		{in: "123456789012:function:fn", name: "123456789012:function:fn"},
		{in: "123456789012:function:fn:7", name: "123456789012:function:fn", qualifier: "7"},
		{in: arn, name: arn, region: "eu-west-1"},
		{in: arn + ":prod", name: arn, qualifier: "prod", region: "eu-west-1"},
		{in: "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f.n", name: "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f.n", region: "us-gov-west-1"},
		{in: "", bad: true},
		{in: "fn:", bad: true},
		{in: "f n", bad: true},
		{in: strings.Repeat("f", 65), bad: true},
		{in: "fn:a.b", bad: true},
		{in: "a:b:c", bad: true},
		{in: "123:function:fn", bad: true},
		{in: "arn:aws:lambda:eu-west-1:123456789012:layer:fn", bad: true},
		{in: "arn:aws:s3:eu-west-1:123456789012:function:fn", bad: true},
		{in: "arn:aws:lambda:euwest1:123456789012:function:fn", bad: true},
		{in: arn + ":prod:extra", bad: true},
	}
	for _, tt := range tests {
		f, err := ParseFunction(tt.in)
		if tt.bad != (err != nil) || !tt.bad && (f.Name != tt.name || f.Qualifier != tt.qualifier || f.Region != tt.region) {
			t.Errorf("ParseFunction(%q) = %+v, %v", tt.in, f, err)
		}
	}
	if CheckQualifier("") != nil || CheckQualifier("prod-1") != nil || CheckQualifier("a:b") == nil {
		t.Error("CheckQualifier")
	}
}

func TestDecode(t *testing.T) {
	alert := `{"id":"a1","rule_name":"r","created":"2024-03-05T07:08:09.123456Z","source_service":"s3","source_entity":"b",` +
		`"record":{"z":1,"streamalert_normalization":{"ip":[]},"a":{"streamalert_normalization":2}}}`
	in, err := Decode(saplugin.SendRequest{Alert: []byte(alert), Publication: []byte(" {\"k\" : [1, 2]} ")})
	if err != nil {
		t.Fatal(err)
	}
	if in.SourceService != "s3" || in.SourceEntity != "b" || !in.Created.Equal(time.Date(2024, 3, 5, 7, 8, 9, 123456000, time.UTC)) {
		t.Errorf("source %+v", in)
	}
	if string(in.PublicationJSON) != `{"k":[1,2]}` {
		t.Errorf("publication %s", in.PublicationJSON)
	}
	// Only the top-level normalization is StreamAlert's; key order stays.
	if got := string(in.Record()); got != `{"z":1,"a":{"streamalert_normalization":2}}` {
		t.Errorf("record %s", got)
	}
	if got := string(in.FieldOr("k", nil)); got != "[1,2]" {
		t.Errorf("field %s", got)
	}
	in, err = Decode(saplugin.SendRequest{Alert: []byte(`{"id":"x"}`)})
	if err != nil || string(in.Record()) != "{}" || string(in.PublicationJSON) != `{"id":"x"}` || !in.Created.IsZero() {
		t.Errorf("bare alert: %+v %v", in, err)
	}
	if _, err := Decode(saplugin.SendRequest{Alert: []byte(`[]`)}); !errors.Is(err, httpout.ErrBadInput) {
		t.Errorf("array alert: %v", err)
	}
}

func TestPretty(t *testing.T) {
	got, err := Pretty(json.RawMessage(`{"b":[1,{"d":"<&>","c":1.50}],"a":{},"e":[]}`))
	want := "{\n  \"a\": {},\n  \"b\": [\n    1,\n    {\n      \"c\": 1.50,\n      \"d\": \"<&>\"\n    }\n  ],\n  \"e\": []\n}"
	if err != nil || got != want {
		t.Errorf("got\n%s\nwant\n%s (%v)", got, want, err)
	}
	if _, err := Pretty(json.RawMessage(`{`)); !errors.Is(err, httpout.ErrBadInput) {
		t.Errorf("bad JSON: %v", err)
	}
}

func TestElideAndSize(t *testing.T) {
	if got := ElideMiddle("short", 99); got != "short" {
		t.Error(got)
	}
	if got := ElideMiddle(strings.Repeat("é", 60)+strings.Repeat("z", 60), 99); got != strings.Repeat("é", 47)+" ... "+strings.Repeat("z", 47) {
		t.Errorf("elided %q", got)
	}
	if CheckSize("m", 10, 10, "SQS") != nil {
		t.Error("at the limit refused")
	}
	err := CheckSize("message", 11, 10, "SQS")
	if res := Classify(err, time.Now()); res.Status != saplugin.Permanent || res.Message != "message is 11 bytes, over the SQS limit of 10 bytes" {
		t.Errorf("%+v", res)
	}
}

func TestPartition(t *testing.T) {
	for region, want := range map[string]string{"us-east-1": "aws", "cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov",
		"us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b", "eu-central-2": "aws"} {
		if got := Partition(region); got != want {
			t.Errorf("Partition(%s) = %s, want %s", region, got, want)
		}
	}
}

// TestLoadConfigIgnoresEnvironment: shared config and credentials files
// named by the environment are not read, and static keys win.
func TestLoadConfigIgnoresEnvironment(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config")
	if err := os.WriteFile(file, []byte("[default]\nregion = ap-south-1\naws_access_key_id = AKIAFILEKEY000000000\naws_secret_access_key = file-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", file)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", file)
	t.Setenv("AWS_ENDPOINT_URL", "https://elsewhere.example.com")
	cfg, client, err := LoadConfig(context.Background(), Settings{Region: "eu-west-1", AccessKeyID: "AKIASTATIC0000000001",
		SecretKey: "static-secret"}, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer client.CloseIdleConnections()
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != "AKIASTATIC0000000001" || cfg.Region != "eu-west-1" || cfg.BaseEndpoint != nil {
		t.Errorf("region %s, key %s (%v): want the instance's", cfg.Region, creds.AccessKeyID, err)
	}
	if cfg.HTTPClient != client || client.Timeout != attemptTimeout {
		t.Errorf("HTTP client %T, timeout %s", cfg.HTTPClient, client.Timeout)
	}
	if r := cfg.Retryer(); r.MaxAttempts() != maxAttempts {
		t.Errorf("%d attempts", r.MaxAttempts())
	}
	cfg, client, err = LoadConfig(context.Background(), Settings{Region: "eu-west-1", Endpoint: "https://sqs.example.com",
		RoleARN: "arn:aws:iam::123456789012:role/x"}, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	client.CloseIdleConnections()
	if _, ok := cfg.Credentials.(*aws.CredentialsCache); !ok || aws.ToString(cfg.BaseEndpoint) != "https://sqs.example.com" {
		t.Errorf("credentials %T endpoint %v: want the cached role and the endpoint", cfg.Credentials, aws.ToString(cfg.BaseEndpoint))
	}
}

// testTarget is the target of testService.
type testTarget struct{ n int64 }

// testService counts builds and fails with a message quoting a secret.
func testService(builds *atomic.Int64) Service[*testTarget] {
	return Service[*testTarget]{
		Info:         saplugin.Info{Name: "aws-test", Version: "0.0.1"},
		Schema:       Schema(Descriptor("d"), []schema.Property{{Name: PropResource, Required: true, Example: "x"}}, CommonOptions{}),
		ResourceProp: PropResource,
		Check:        func(schema.Config) (string, []schema.Problem) { return "", nil },
		Build: func(aws.Config, schema.Config) (*testTarget, error) {
			return &testTarget{n: builds.Add(1)}, nil
		},
		Deliver: func(_ context.Context, tt *testTarget, in Input) (string, error) {
			switch in.Alert.ID {
			case "fail":
				return "", fmt.Errorf("signing with secret-key-0123456789 failed for build %d", tt.n)
			case "long":
				// The secret straddles where a long message is cut.
				return "", errors.New(strings.Repeat("x", 1000) + " secret-key-0123456789 \n" + strings.Repeat("y", 100))
			}
			return fmt.Sprintf("build %d", tt.n), nil
		},
	}
}

// TestInstanceRebuilt: a send with the configuration the instance was
// built from reuses it; a changed configuration rebuilds it. Secrets are
// masked in messages.
func TestInstanceRebuilt(t *testing.T) {
	var builds atomic.Int64
	o := New(testService(&builds))
	o.Log = secrettest.Logger(t, []string{"secret-key-0123456789"})
	raw := map[string]any{"descriptor": "d", "aws_value": "x", "region": "us-east-1",
		"aws_access_key_id": "AKIASTATIC0000000001", "aws_secret_access_key": "secret-key-0123456789"}
	cfg, problems := o.Schema().Apply(raw)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if err := o.Configure(context.Background(), "d", cfg); err != nil {
		t.Fatal(err)
	}
	send := func(cfg schema.Config, id string) saplugin.SendResult {
		return o.Send(context.Background(), saplugin.SendRequest{Instance: "d", Config: cfg, Alert: []byte(`{"id":"` + id + `"}`)})
	}
	if res := send(cfg, "a"); res.Message != "aws-test: build 1" {
		t.Errorf("same config: %q", res.Message)
	}
	raw["aws_value"] = "y"
	changed, _ := o.Schema().Apply(raw)
	if res := send(changed, "a"); res.Message != "aws-test: build 2" {
		t.Errorf("changed config: %q", res.Message)
	}
	res := send(changed, "fail")
	if res.Status != saplugin.Permanent || res.Message != "aws-test: signing with <secret> failed for build 2" {
		t.Errorf("failure %+v", res)
	}
	res = send(changed, "long")
	if len(res.Message) > maxMessage || strings.Contains(res.Message, "secret-key") || !strings.Contains(res.Message, "<secret>") ||
		!strings.HasSuffix(res.Message, "...") {
		t.Errorf("long failure: %d bytes ending %q", len(res.Message), res.Message[max(0, len(res.Message)-20):])
	}
	if res := o.Send(context.Background(), saplugin.SendRequest{Instance: "d", Config: changed, Alert: []byte(`[1]`)}); res.Status != saplugin.Permanent {
		t.Errorf("bad alert: %+v", res)
	}
}
