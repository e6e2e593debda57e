package main

import (
	"encoding/pem"
	"io"
	"log"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/awsfake"
	"github.com/streamalert-go/sa/internal/httpouttest"
	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/plugintest"
)

const bucketName = "corp-sa-alerts"

// wantKey is StreamAlert's key layout for awsfake.TestAlert.
const wantKey = "alerts/dt=2024-03-05-07/s3_corp-trail_root_login_" + awsfake.TestAlertID + ".json"

// store is gofakes3 over TLS, behind the fake's signature check.
type store struct {
	*httptest.Server
	backend *s3mem.Backend
	caFile  string
}

func newStore(t *testing.T) *store {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucketName); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(awsfake.Signed(t, gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server()))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &store{Server: srv, backend: backend, caFile: ca}
}

// config points an instance at the store.
func (s *store) config(bucket string) map[string]any {
	return map[string]any{"descriptor": "alerts", "aws_value": bucket, "force_path_style": true,
		"region": awsfake.Region, "endpoint_url": s.URL, "ca_file": s.caFile,
		"aws_access_key_id": awsfake.AccessKeyID, "aws_secret_access_key": awsfake.SecretKey}
}

// object reads an object back, failing the test when it is missing.
func (s *store) object(t *testing.T, key string) (string, map[string]string) {
	t.Helper()
	obj, err := s.backend.GetObject(bucketName, key, nil)
	if err != nil {
		t.Fatalf("object %s: %v", key, err)
	}
	defer obj.Contents.Close()
	b, _ := io.ReadAll(obj.Contents)
	return string(b), obj.Metadata
}

func (s *store) keys(t *testing.T) []string {
	t.Helper()
	list, err := s.backend.ListBucket(bucketName, nil, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range list.Contents {
		out = append(out, o.Key)
	}
	return out
}

func newTest(logs io.Writer) *awsout.Output[*bucket] {
	o := New()
	o.Log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o.MaxBackoff = 0
	return o
}

func TestConformance(t *testing.T) {
	plugintest.Test(t, saplugin.KindOutput, newTest(io.Discard))
	awsfake.Conformance(t, "plugins/output/aws-s3")
}

func TestSchema(t *testing.T) {
	if err := configSchema.Check(); err != nil {
		t.Fatal(err)
	}
	if p := httpouttest.Problems(New(), map[string]any{"descriptor": "a", "aws_value": "Bad_Bucket", "region": "us-east-1"}); len(p) != 1 || p[0].Field != "aws_value" {
		t.Errorf("problems %v, want one on aws_value", p)
	}
}

// TestPutObject stores the default publication (the alert) under
// StreamAlert's key, and a retry overwrites the same object.
func TestPutObject(t *testing.T) {
	s := newStore(t)
	o := newTest(secrettest.NewWriter(t, awsfake.Secrets))
	cfg := httpouttest.Configure(t, o, "alerts", s.config(bucketName))
	for range 2 {
		if res := awsfake.Send(o, cfg, ""); res.Status != saplugin.Delivered || res.Message != "aws-s3: stored "+wantKey {
			t.Fatalf("%s (%s)", res.Status, res.Message)
		}
	}
	if keys := s.keys(t); len(keys) != 1 || keys[0] != wantKey {
		t.Fatalf("keys %v, want %s", keys, wantKey)
	}
	body, meta := s.object(t, wantKey)
	if body != string(awsout.Compact([]byte(awsfake.TestAlert))) {
		t.Errorf("body %s", body)
	}
	if meta["Content-Type"] != "application/json" {
		t.Errorf("metadata %v, want Content-Type application/json", meta)
	}
}

func TestPublication(t *testing.T) {
	s := newStore(t)
	o := newTest(io.Discard)
	cfg := httpouttest.Configure(t, o, "alerts", s.config(bucketName))
	if res := awsfake.Send(o, cfg, `{"rule": "root_login",  "record": {"b": 1}}`); res.Status != saplugin.Delivered {
		t.Fatalf("%s (%s)", res.Status, res.Message)
	}
	if body, _ := s.object(t, wantKey); body != `{"rule":"root_login","record":{"b":1}}` {
		t.Errorf("body %s", body)
	}
}

func TestObjectKey(t *testing.T) {
	now := time.Date(2025, 12, 31, 23, 59, 0, 0, time.UTC)
	in, err := awsout.Decode(saplugin.SendRequest{Alert: []byte(`{"rule_name":"r","source_service":"kinesis","source_entity":"stream"}`)})
	if err != nil {
		t.Fatal(err)
	}
	key := objectKey(in, now)
	prefix := "alerts/dt=2025-12-31-23/kinesis_stream_r_"
	if !strings.HasPrefix(key, prefix) || len(key) != len(prefix)+36+len(".json") || key == objectKey(in, now) {
		t.Errorf("key %s: want the send hour and a fresh UUID for an alert without id or time", key)
	}
}

func TestMissingBucket(t *testing.T) {
	s := newStore(t)
	o := newTest(io.Discard)
	cfg := httpouttest.Configure(t, o, "alerts", s.config("no-such-bucket"))
	res := awsfake.Send(o, cfg, "")
	if res.Status != saplugin.Permanent || !strings.Contains(res.Message, "S3 PutObject: NoSuchBucket") || !strings.Contains(res.Message, "HTTP 404") {
		t.Fatalf("%s (%s), want permanent NoSuchBucket", res.Status, res.Message)
	}
}

func TestUnreachable(t *testing.T) {
	s := newStore(t)
	o := newTest(io.Discard)
	raw := s.config(bucketName)
	s.Close()
	cfg := httpouttest.Configure(t, o, "alerts", raw)
	if res := awsfake.Send(o, cfg, ""); res.Status != saplugin.Retryable {
		t.Fatalf("%s (%s), want retryable", res.Status, res.Message)
	}
}

// TestBinary runs the built plugin as the host does, with two instances.
func TestBinary(t *testing.T) {
	b := httpouttest.StartBinary(t, "plugins/output/aws-s3")
	if name, ver := b.Describe(t); name != "aws-s3" || ver != version {
		t.Fatalf("Describe = %s %s", name, ver)
	}
	s := newStore(t)
	if p := b.Configure(t, "alerts", s.config(bucketName)); len(p) > 0 {
		t.Fatalf("configure: %v", p)
	}
	if p := b.Configure(t, "gone", s.config("no-such-bucket")); len(p) > 0 {
		t.Fatalf("configure: %v", p)
	}
	res := b.Send(t, "alerts", awsfake.TestAlert, "")
	if res.GetStatus() != pluginv1.SendStatus_SEND_STATUS_DELIVERED {
		t.Fatalf("alerts: %s (%s)", res.GetStatus(), res.GetMessage())
	}
	if body, _ := s.object(t, wantKey); body != string(awsout.Compact([]byte(awsfake.TestAlert))) {
		t.Errorf("body %s", body)
	}
	gone := b.Send(t, "gone", awsfake.TestAlert, "")
	if gone.GetStatus() != pluginv1.SendStatus_SEND_STATUS_PERMANENT || !strings.Contains(gone.GetMessage(), "NoSuchBucket") {
		t.Fatalf("gone: %s (%s)", gone.GetStatus(), gone.GetMessage())
	}
	b.Kill()
	secrettest.AssertNoLeak(t, awsfake.Secrets, res.GetMessage(), gone.GetMessage(), b.Stderr.String())
}
