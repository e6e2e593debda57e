package aws

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/deadletter"
	"github.com/streamalert-go/sa/host/runtime/embedded"
	"github.com/streamalert-go/sa/host/store/dynamodb"
	"github.com/streamalert-go/sa/internal/awsemu"
)

var quiet = slog.New(slog.DiscardHandler)

// newDeployment writes a deployment package: the home `sa init` writes,
// with its sample conf (stream sa_sample carries CloudTrail), rules, and
// the output file:sample appending to alerts.jsonl.
func newDeployment(t *testing.T, pluginDirs ...string) *Deployment {
	t.Helper()
	home := t.TempDir()
	if _, err := embedded.Init(context.Background(), home, embedded.InitOptions{PluginDirs: pluginDirs}); err != nil {
		t.Fatal(err)
	}
	dep, err := LoadDeployment(home, quiet)
	if err != nil {
		t.Fatal(err)
	}
	return dep
}

// sampleLines are the CloudTrail sample's records, one a line.
func sampleLines(t *testing.T, dep *Deployment) [][]byte {
	data, err := os.ReadFile(filepath.Join(dep.Home, "samples", "cloudtrail.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Split(bytes.TrimSpace(data), []byte("\n"))
}

// kinesisEvent is the event Lambda delivers for records put on stream.
func kinesisEvent(stream string, data ...[]byte) events.KinesisEvent {
	var ev events.KinesisEvent
	for i, d := range data {
		seq := fmt.Sprintf("4959031823741937652802094827830986749018273647521%05d", i)
		ev.Records = append(ev.Records, events.KinesisEventRecord{
			AwsRegion: "us-east-1", EventID: "shardId-000000000000:" + seq, EventName: "aws:kinesis:record",
			EventSource: "aws:kinesis", EventSourceArn: "arn:aws:kinesis:us-east-1:123456789012:stream/" + stream,
			EventVersion: "1.0", InvokeIdentityArn: "arn:aws:iam::123456789012:role/sa-classifier",
			Kinesis: events.KinesisRecord{
				ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: time.Date(2026, 11, 1, 9, 5, 0, 0, time.UTC)},
				Data:                        d, PartitionKey: "pk", SequenceNumber: seq, KinesisSchemaVersion: "1.0",
			},
		})
	}
	return ev
}

// asRaw is ev as the bytes Lambda hands the function.
func asRaw(t *testing.T, ev any) json.RawMessage {
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newClassifierHandler is the classifier function of dep sending to the
// fake's "classified" and "deadletter" queues.
func newClassifierHandler(t *testing.T, dep *Deployment, q *fakeSQS) *ClassifierHandler {
	t.Helper()
	c, err := classify.New(dep.Conf, classify.Options{Parsers: classify.Builtin(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewClassifier(ClassifierOptions{
		Classifier: c, SQS: q.client(), Queue: q.url("classified"),
		DeadLetter: QueueDeadLetter{SQS: q.client(), Queue: q.url("deadletter")}, Log: quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// messagesIn decodes the classified records of an SQS event.
func messagesIn(t *testing.T, ev events.SQSEvent) []Message {
	var out []Message
	for _, m := range ev.Records {
		var msgs []Message
		if err := json.Unmarshal([]byte(m.Body), &msgs); err != nil {
			t.Fatalf("message %s: %v", m.MessageId, err)
		}
		out = append(out, msgs...)
	}
	return out
}

// deadIn decodes the dead letter entries of an SQS event.
func deadIn(t *testing.T, ev events.SQSEvent) []deadletter.Entry {
	var out []deadletter.Entry
	for _, m := range ev.Records {
		var es []deadletter.Entry
		if err := json.Unmarshal([]byte(m.Body), &es); err != nil {
			t.Fatalf("dead letter message %s: %v", m.MessageId, err)
		}
		out = append(out, es...)
	}
	return out
}

var tableN atomic.Int64

// newStore starts dynalite (behind the transaction proxy) and returns a
// store over fresh tables.
func newStore(t *testing.T) *dynamodb.Store {
	t.Helper()
	s, _ := newStoreAt(t)
	return s
}

// newStoreAt is newStore, and the emulator's endpoint for other tables.
func newStoreAt(t *testing.T) (*dynamodb.Store, string) {
	t.Helper()
	endpoint, _ := awsemu.StartTxProxy(t, awsemu.Dynalite(t))
	client := ddb.NewFromConfig(awsemu.Config(endpoint))
	n := tableN.Add(1)
	names := dynamodb.Tables{Alerts: fmt.Sprintf("sa-alerts-%d", n), State: fmt.Sprintf("sa-state-%d", n)}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := dynamodb.CreateTables(ctx, client, names); err != nil {
		t.Fatal(err)
	}
	s, err := dynamodb.New(client, dynamodb.Options{Tables: names})
	if err != nil {
		t.Fatal(err)
	}
	return s, endpoint
}
