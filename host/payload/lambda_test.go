package payload_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/payload"
)

func TestLambda(t *testing.T) {
	notification, _ := json.Marshal(map[string]any{"Records": []any{s3Elem("b2", "a%2Fb+c.gz", 10), s3Elem("b2", "d", 0)}})
	ev := event(t,
		kinesisElem("s1", b64([]byte(`{"a":1}`))),
		kinesisElem("s1", b64(zl(t, "zlib text"))),
		kinesisElem("s1", b64(gz(t, `{"cwl":1}`))),
		kinesisElem("s1", "not base64!"),
		kinesisElem("s1", b64([]byte("x^ looks like zlib, is text"))),
		kinesisElem("s1", b64(gz(t, "abc")[:10])),
		map[string]any{"Sns": map[string]any{"TopicArn": "arn:aws:sns:us-east-1:1:topic", "Message": `{"m":1}`, "Type": "Notification"}},
		map[string]any{"Sns": map[string]any{"TopicArn": "arn:aws:sns:us-east-1:1:topic", "Message": string(notification),
			"Type": "Notification", "Subject": "Amazon S3 Notification"}},
		s3Elem("b1", "logs/one.json", 20),
		map[string]any{"streamalert_app": "app1", "logs": []any{"text log", map[string]any{"k": "v"}}},
		map[string]any{"other": 1},
	)
	store := objects{"b2/a/b c.gz": gz(t, "line1\nline2\n"), "b1/logs/one.json": []byte(`{"whole": [1, 2]}`)}
	var c collect
	if err := payload.Lambda(context.Background(), ev, store, payload.Limits{}, c.emit); err != nil {
		t.Fatal(err)
	}
	expect(t, c.records(),
		`kinesis/s1: {"a":1}`,
		`kinesis/s1: zlib text`,
		`kinesis/s1: {"cwl":1}`,
		`kinesis/s1: x^ looks like zlib, is text`,
		`kinesis/s1: FAIL kinesis data is not valid base64: illegal base64 data at input byte 3`,
		`kinesis/s1: FAIL kinesis data: gzip: truncated data: unexpected EOF`,
		`sns/topic: {"m":1}`,
		`s3/b2: line1`,
		`s3/b2: line2`,
		`s3/b1: {"whole": [1, 2]}`,
		`streamalert_app/app1: text log`,
		`streamalert_app/app1: {"k":"v"}`,
		`/: FAIL event record has none of the keys kinesis, s3, Sns, streamalert_app (it has other)`,
	)
}

func TestLambdaErrors(t *testing.T) {
	for _, ev := range []string{`not json`, `{"records": []}`, `{"Records": {}}`} {
		if err := payload.Lambda(context.Background(), []byte(ev), nil, payload.Limits{}, (&collect{}).emit); err == nil {
			t.Errorf("Lambda(%s) accepted", ev)
		}
	}
	ev := event(t, s3Elem("b", "k", 5))
	if err := payload.Lambda(context.Background(), ev, nil, payload.Limits{}, (&collect{}).emit); err == nil || !strings.Contains(err.Error(), "no object fetcher") {
		t.Errorf("S3 without a fetcher: %v", err)
	}
	if err := payload.Lambda(context.Background(), ev, objects{}, payload.Limits{}, (&collect{}).emit); err == nil || !strings.Contains(err.Error(), "fetch s3://b/k") {
		t.Errorf("fetch failure: %v", err)
	}
	var c collect
	big := event(t, s3Elem("b", "k", 200<<20))
	if err := payload.Lambda(context.Background(), big, objects{}, payload.Limits{}, c.emit); err != nil {
		t.Fatal(err)
	}
	expect(t, c.records(), "s3/b: FAIL object b/k is 209715200 bytes, over the 134217728-byte limit")
	c = collect{}
	msg := map[string]any{"Sns": map[string]any{"Message": `{"Service":"Amazon S3","Event":"s3:TestEvent"}`, "Type": "Notification", "Subject": "Amazon S3 Notification"}}
	if err := payload.Lambda(context.Background(), event(t, msg), objects{}, payload.Limits{}, c.emit); err != nil {
		t.Fatal(err)
	}
	expect(t, c.records(), `/: FAIL S3 notification through SNS: payload: event has no "Records"`)
}

// TestLambdaGroups checks that consecutive records of one source make one
// batch.
func TestLambdaGroups(t *testing.T) {
	ev := event(t, kinesisElem("a", b64([]byte("1"))), kinesisElem("a", b64([]byte("2"))),
		kinesisElem("b", b64([]byte("3"))), kinesisElem("a", b64([]byte("4"))))
	var c collect
	if err := payload.Lambda(context.Background(), ev, nil, payload.Limits{}, c.emit); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, b := range c.batches {
		sizes = append(sizes, len(b.Records))
	}
	if len(sizes) != 3 || sizes[0] != 2 || sizes[1] != 1 || sizes[2] != 1 {
		t.Errorf("batch sizes %v, want [2 1 1]", sizes)
	}
}

func TestCloudWatchLogs(t *testing.T) {
	doc := `{"messageType":"DATA_MESSAGE","owner":"123","logGroup":"g","logStream":"s","subscriptionFilters":["f"],` +
		`"logEvents":[{"id":"1","timestamp":1,"message":"a"},{"id":"2","timestamp":2,"message":"b"}]}`
	for name, data := range map[string][]byte{"gzip": gz(t, doc), "base64": []byte(b64(gz(t, doc)))} {
		c, err := payload.DecodeCloudWatchLogs(data, payload.Limits{})
		if err != nil || c.Control() || c.Events != 2 || c.LogGroup != "g" || string(c.Record) != doc {
			t.Errorf("%s: %+v, %v", name, c, err)
		}
	}
	ctl := `{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE"}]}`
	ev, _ := json.Marshal(map[string]any{"awslogs": map[string]any{"data": b64(gz(t, ctl))}})
	if c, err := payload.CloudWatchLogsEvent(ev, payload.Limits{}); err != nil || !c.Control() {
		t.Errorf("control message: %+v, %v", c, err)
	}
	for name, data := range map[string][]byte{
		"plain json": []byte(doc), "not base64": []byte("!!"), "truncated": gz(t, doc)[:20],
		"bad type": gz(t, `{"messageType":"OTHER"}`), "not json": gz(t, "x"),
	} {
		if _, err := payload.DecodeCloudWatchLogs(data, payload.Limits{}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestApp(t *testing.T) {
	b := payload.App("duo", [][]byte{[]byte(`{"a":1}`), []byte("0123456789")}, payload.Limits{MaxRecordBytes: 8})
	if b.Source.Service != "streamalert_app" || len(b.Records) != 1 || len(b.Failures) != 1 ||
		!strings.Contains(b.Failures[0].Reason, "over the 8-byte record limit") {
		t.Errorf("App = %+v", b)
	}
}
