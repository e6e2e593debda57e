package aws

import (
	"context"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/historical"
	"github.com/streamalert-go/sa/host/store"
	"github.com/streamalert-go/sa/internal/awsfake"
)

// ctStream is the historical stream of cloudtrail:events in the sample
// deployment (prefix "sa").
const ctStream = "sa_streamalert_cloudtrail_events"

// withHistorical enables historical search of the cloudtrail family in
// dep's conf and returns a classifier handler sending to the fake's SQS
// queues and to hist.
func withHistorical(t *testing.T, dep *Deployment, q *fakeSQS, hist Historical) *ClassifierHandler {
	t.Helper()
	fh := &dep.Conf.Global.Infrastructure.Firehose
	fh.Enabled = true
	fh.EnabledLogs = map[string]json.RawMessage{"cloudtrail": json.RawMessage(`{}`)}
	c, err := classify.New(dep.Conf, classify.Options{Parsers: classify.Builtin(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewClassifier(ClassifierOptions{
		Classifier: c, SQS: q.client(), Queue: q.url("classified"),
		DeadLetter: QueueDeadLetter{SQS: q.client(), Queue: q.url("deadletter")}, Historical: hist, Log: quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// firehoseSender is the historical sender of dep on the fake, trying
// each record twice without waiting.
func firehoseSender(fake *awsfake.Server, dep *Deployment) *historical.Sender {
	return historical.New(fake.FirehoseClient(1), dep.Conf, historical.Options{
		Tries: 2, Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	})
}

// oddKeys is a CloudTrail line whose request parameters have keys Athena
// cannot name, in nested objects and in a list.
const oddKeys = `{"Records":[{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"1","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012"},` +
	`"eventTime":"2026-11-01T09:04:00Z","eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9",` +
	`"userAgent":"x","requestParameters":{"bucket-name":"b","a:b":{"c.d":1},"list":[{"e:f":2}]},"responseElements":null,"requestID":"R9","eventID":"odd-keys-event",` +
	`"readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}]}`

var nonWord = regexp.MustCompile(`[^A-Za-z0-9_]`)

// sanitized is v with the keys of every object reached through objects
// rewritten as historical search stores them: the test's own statement
// of the rule.
func sanitized(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, val := range m {
		out[nonWord.ReplaceAllString(k, "_")] = sanitized(val)
	}
	return out
}

// TestClassifierHistorical: the records of a Kinesis batch reach the
// rules queue as classified and the historical stream of their log type
// with sanitized keys, one a line.
func TestClassifierHistorical(t *testing.T) {
	dep := newDeployment(t)
	q := newFakeSQS(t, "classified", "deadletter")
	fake := awsfake.New(t)
	fake.AddStream(ctStream)
	h := withHistorical(t, dep, q, firehoseSender(fake, dep))
	ev := kinesisEvent("sa_sample", append(sampleLines(t, dep), []byte(oddKeys))...)

	resp, err := h.Kinesis(context.Background(), ev)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Kinesis: %v %v", resp.BatchItemFailures, err)
	}
	msgs := messagesIn(t, q.take("classified"))
	stored := fake.FirehoseRecords(ctStream)
	if len(stored) != len(msgs) || len(msgs) == 0 {
		t.Fatalf("%d records stored for %d classified", len(stored), len(msgs))
	}
	for i, line := range stored {
		if !strings.HasSuffix(string(line), "}\n") || strings.Count(string(line), "\n") != 1 {
			t.Errorf("record %d is not one line of JSON: %q", i, line)
		}
		var got, orig any
		if err := json.Unmarshal(line, &got); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(msgs[i].Record, &orig); err != nil {
			t.Fatal(err)
		}
		if want := sanitized(orig); !reflect.DeepEqual(got, want) {
			t.Errorf("record %d:\n got %s\nwant %v", i, line, want)
		}
	}
	last := string(stored[len(stored)-1])
	for _, want := range []string{`"bucket_name":"b"`, `"a_b":{"c_d":1}`, `"list":[{"e:f":2}]`, `"streamalert_normalization":`} {
		if !strings.Contains(last, want) {
			t.Errorf("stored record %s lacks %s", last, want)
		}
	}
	if strings.Contains(string(msgs[len(msgs)-1].Record), `"bucket_name"`) {
		t.Error("the rules queue got sanitized keys; only the historical copy is sanitized")
	}
}

// TestClassifierHistoricalFailure: a record Firehose keeps refusing fails
// its Kinesis record alone, by sequence number; the retry stores it.
func TestClassifierHistoricalFailure(t *testing.T) {
	dep := newDeployment(t)
	q := newFakeSQS(t, "classified", "deadletter")
	fake := awsfake.New(t)
	fake.AddStream(ctStream)
	h := withHistorical(t, dep, q, firehoseSender(fake, dep))
	lines := sampleLines(t, dep)
	ev := kinesisEvent("sa_sample", lines[0], []byte(oddKeys), lines[1])
	fake.FailFirehoseRecords(func(_ string, data []byte) bool { return strings.Contains(string(data), "odd-keys-event") })

	resp, err := h.Kinesis(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != ev.Records[1].Kinesis.SequenceNumber {
		t.Fatalf("failures %v, want record 1 (%s) alone", resp.BatchItemFailures, ev.Records[1].Kinesis.SequenceNumber)
	}
	if n := len(fake.Calls("PutRecordBatch")); n != 2 {
		t.Errorf("%d PutRecordBatch calls, want 2 tries", n)
	}
	for _, r := range fake.FirehoseRecords(ctStream) {
		if strings.Contains(string(r), "odd-keys-event") {
			t.Error("the refused record was stored")
		}
	}
	if len(deadIn(t, q.take("deadletter"))) != 0 {
		t.Error("a record Firehose could not take now went to the dead letter queue")
	}

	fake.FailFirehoseRecords(nil)
	before := len(fake.FirehoseRecords(ctStream))
	resp, err = h.Kinesis(context.Background(), ev)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("retry: %v %v", resp.BatchItemFailures, err)
	}
	if got := fake.FirehoseRecords(ctStream)[before:]; len(got) != 3 || !strings.Contains(string(got[1]), "odd-keys-event") {
		t.Errorf("retry stored %q", got)
	}
}

// historicalFunc is a Historical of a function.
type historicalFunc func(context.Context, []historical.Record) (historical.Result, error)

func (f historicalFunc) Send(ctx context.Context, recs []historical.Record) (historical.Result, error) {
	return f(ctx, recs)
}

// TestClassifierHistoricalRejected: a record historical search can never
// take goes to the dead letter queue with the reason, and its Kinesis
// record is not retried for it; records SQS did not take are not sent.
func TestClassifierHistoricalRejected(t *testing.T) {
	dep := newDeployment(t)
	q := newFakeSQS(t, "classified", "deadletter")
	var sent []historical.Record
	h := withHistorical(t, dep, q, historicalFunc(func(_ context.Context, recs []historical.Record) (historical.Result, error) {
		sent = append(sent, recs...)
		var res historical.Result
		for i, r := range recs {
			if strings.Contains(string(r.Data), "odd-keys-event") {
				res.Rejected = append(res.Rejected, historical.Rejected{Index: i, Reason: "too large for Firehose"})
			}
		}
		return res, nil
	}))
	// Records of 150 KiB, so the one SQS refuses is alone in its message.
	lines := sampleLines(t, dep)
	ev := kinesisEvent("sa_sample", padded(t, lines[0], 150<<10), []byte(oddKeys), padded(t, lines[1], 150<<10))
	refused := ev.Records[2].EventID
	q.refuse = func(body string) bool { return strings.Contains(body, refused) }

	resp, err := h.Kinesis(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != ev.Records[2].Kinesis.SequenceNumber {
		t.Errorf("failures %v, want only the record SQS refused", resp.BatchItemFailures)
	}
	for _, r := range sent {
		if strings.Contains(string(r.Data), "A1B2C3D4E5F60002") {
			t.Error("a record SQS refused was sent to historical search; its retry would store it twice")
		}
	}
	dead := deadIn(t, q.take("deadletter"))
	if len(dead) != 1 || dead[0].Reason != "too large for Firehose" || dead[0].LogType != "cloudtrail:events" ||
		!strings.Contains(string(dead[0].Raw), "odd-keys-event") || dead[0].Resource != "sa_sample" {
		t.Errorf("dead letter %+v, want the rejected record with the reason", dead)
	}
}

// TestAlertHistory: the rules function keeps every alert it stores on the
// alerts stream, as outputs receive it; alerts Firehose will not take
// send their message back to the queue, and the retry stores nothing
// twice.
func TestAlertHistory(t *testing.T) {
	ctx := context.Background()
	dep := newDeployment(t)
	st := newStore(t)
	q := newFakeSQS(t, "classified", "deadletter")
	c := withHistorical(t, dep, q, nil)
	fake := awsfake.New(t)
	const alertsStream = "sa_streamalert_alerts"
	fake.AddStream(alertsStream)
	engine, err := dep.Rules(quiet)
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewRules(RulesOptions{Rules: engine, Store: st, History: firehoseSender(fake, dep), Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Kinesis(ctx, kinesisEvent("sa_sample", sampleLines(t, dep)...)); err != nil {
		t.Fatal(err)
	}
	ev := q.take("classified")

	fake.FailFirehoseRecords(func(string, []byte) bool { return true })
	resp, err := h.Handle(ctx, ev)
	if err != nil || len(resp.BatchItemFailures) != len(ev.Records) {
		t.Fatalf("with Firehose refusing: %v %v, want every message back in the queue", resp.BatchItemFailures, err)
	}
	fake.FailFirehoseRecords(nil)
	if resp, err := h.Handle(ctx, ev); err != nil || len(resp.BatchItemFailures) > 0 {
		t.Fatalf("retry: %v %v", resp.BatchItemFailures, err)
	}
	list, err := st.List(ctx, store.ListRequest{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]bool{}
	for _, line := range fake.FirehoseRecords(alertsStream) {
		var p struct {
			ID   string `json:"id"`
			Rule string `json:"rule_name"`
		}
		if err := json.Unmarshal(line, &p); err != nil || !strings.HasSuffix(string(line), "\n") {
			t.Fatalf("alerts stream record %q: %v", line, err)
		}
		kept[p.ID] = true
	}
	if len(list.Alerts) == 0 || len(kept) != len(list.Alerts) {
		t.Fatalf("%d alerts kept for history, %d stored", len(kept), len(list.Alerts))
	}
	for _, a := range list.Alerts {
		if !kept[a.ID] {
			t.Errorf("stored alert %s (%s) not on the alerts stream", a.ID, a.RuleName)
		}
	}
}
