package aws

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// TestClassifierKinesis: a Kinesis batch's classified records reach the
// rules queue packed as JSON arrays, each keyed by the Kinesis record it
// came from; what no schema takes reaches the dead letter queue with the
// reasons; nothing is reported failed.
func TestClassifierKinesis(t *testing.T) {
	dep := newDeployment(t)
	q := newFakeSQS(t, "classified", "deadletter")
	h := newClassifierHandler(t, dep, q)
	lines := sampleLines(t, dep)
	ev := kinesisEvent("sa_sample", append(lines, []byte("this is not cloudtrail"))...)
	other := kinesisEvent("unknown_stream", lines[0])
	ev.Records = append(ev.Records, other.Records[0])

	out, err := h.Invoke(context.Background(), asRaw(t, ev))
	if err != nil {
		t.Fatal(err)
	}
	if resp := out.(events.KinesisEventResponse); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures %v, want none", resp.BatchItemFailures)
	}
	msgs := messagesIn(t, q.take("classified"))
	if len(msgs) < len(lines) {
		t.Fatalf("%d classified records from %d CloudTrail lines", len(msgs), len(lines))
	}
	keys := map[string]bool{}
	for _, m := range msgs {
		if m.LogType != "cloudtrail:events" || m.Service != "kinesis" || m.Resource != "sa_sample" || m.Parser != "json" || m.Cluster == "" {
			t.Errorf("message %+v", m)
		}
		if !strings.HasPrefix(m.Key, "shardId-000000000000:") || keys[m.Key] {
			t.Errorf("key %q is not a fresh key from a Kinesis event id", m.Key)
		}
		keys[m.Key] = true
		if !m.Received.Equal(ev.Records[0].Kinesis.ApproximateArrivalTimestamp.Time) {
			t.Errorf("received %v, want the arrival time", m.Received)
		}
	}
	dead := deadIn(t, q.take("deadletter"))
	if len(dead) != 2 {
		t.Fatalf("%d dead letter entries, want 2: %+v", len(dead), dead)
	}
	for _, d := range dead {
		reasons := []string{d.Reason}
		for _, a := range d.Attempts {
			reasons = append(reasons, a.Reason)
		}
		if d.Stage != "classify" || strings.Join(reasons, "") == "" {
			t.Errorf("dead letter entry %+v has no reason", d)
		}
	}
	if string(dead[0].Raw) != "this is not cloudtrail" || dead[1].Resource != "unknown_stream" {
		t.Errorf("dead letter holds %q from %s and %s, want the bad line and the unknown stream's record", dead[0].Raw, dead[0].Resource, dead[1].Resource)
	}
}

// TestClassifierPartialFailure: only the Kinesis records whose messages
// SQS refused are reported, by sequence number; a dead letter queue that
// is down fails the records headed there; resending gives the same keys.
func TestClassifierPartialFailure(t *testing.T) {
	dep := newDeployment(t)
	q := newFakeSQS(t, "classified", "deadletter")
	h := newClassifierHandler(t, dep, q)
	// Records of 150 KiB: one SQS message each.
	big := padded(t, sampleLines(t, dep)[0], 150<<10)
	ev := kinesisEvent("sa_sample", big, big, big)
	refused := ev.Records[1].EventID
	q.refuse = func(body string) bool { return strings.Contains(body, refused) }

	resp, err := h.Kinesis(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) == 0 {
		t.Fatal("no failures reported for a refused message")
	}
	for _, f := range resp.BatchItemFailures {
		if f.ItemIdentifier != ev.Records[1].Kinesis.SequenceNumber {
			t.Errorf("record %s reported failed; only %s was refused", f.ItemIdentifier, ev.Records[1].Kinesis.SequenceNumber)
		}
	}
	first := messagesIn(t, q.take("classified"))
	if len(first) == 0 {
		t.Fatal("nothing sent for the records SQS accepted")
	}
	for _, m := range first {
		if strings.HasPrefix(m.Key, refused) {
			t.Errorf("a message of the refused record was kept: %s", m.Key)
		}
	}

	// The retry (Lambda resends from the failed record on) succeeds, and
	// the records sent before come with the keys they had.
	q.refuse = nil
	resp, err = h.Kinesis(context.Background(), ev)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("retry: %v %v", resp.BatchItemFailures, err)
	}
	second := messagesIn(t, q.take("classified"))
	keys := map[string]bool{}
	for _, m := range second {
		keys[m.Key] = true
	}
	for _, m := range first {
		if !keys[m.Key] {
			t.Errorf("key %s of the first delivery is not in the retry", m.Key)
		}
	}

	q.mu.Lock()
	q.down = true
	q.mu.Unlock()
	bad := kinesisEvent("sa_sample", []byte("not a log"))
	resp, _ = h.Kinesis(context.Background(), bad)
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != bad.Records[0].Kinesis.SequenceNumber {
		t.Errorf("with the dead letter queue down: failures %v, want the unclassified record", resp.BatchItemFailures)
	}
}

// padded is a CloudTrail line whose records carry n more bytes in their
// requestParameters.
func padded(t *testing.T, line []byte, n int) []byte {
	var doc map[string][]map[string]any
	if err := json.Unmarshal(line, &doc); err != nil {
		t.Fatal(err)
	}
	for _, r := range doc["Records"] {
		r["requestParameters"] = map[string]any{"pad": strings.Repeat("x", n)}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestClassifierAppBatch: an app batch (and any non-Kinesis event) goes
// through package payload; its records are keyed by the request id, so
// Lambda's retry of the same event gives the same keys.
func TestClassifierAppBatch(t *testing.T) {
	dep := newDeployment(t)
	q := newFakeSQS(t, "classified", "deadletter")
	h := newClassifierHandler(t, dep, q)
	// The sample cluster lists the stream only; an app no cluster lists
	// goes to the dead letter queue with the reason.
	event := []byte(`{"Records":[{"streamalert_app":"sa_unlisted_app","logs":["one","two"]}]}`)
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"})
	if _, err := h.Invoke(ctx, event); err != nil {
		t.Fatal(err)
	}
	dead := deadIn(t, q.take("deadletter"))
	if len(dead) != 2 || dead[0].Service != "streamalert_app" || dead[0].Resource != "sa_unlisted_app" || len(dead[0].Attempts) == 0 {
		t.Fatalf("dead letter %+v, want both logs of the unlisted app with reasons", dead)
	}

	q.mu.Lock()
	q.down = true
	q.mu.Unlock()
	if _, err := h.Invoke(ctx, event); err == nil {
		t.Error("an event whose records could not be sent succeeded")
	}
}
