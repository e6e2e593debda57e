package testevent

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"

	"github.com/streamalert-go/sa/host/payload"
)

// The names StreamAlert's test framework puts in the deliveries it makes.
const (
	testRegion  = "us-east-1"
	testAccount = "123456789012"
	testKey     = "test_object_key"
)

// deliver hands rec to emit as the event's service delivers it, decoded by
// package payload: a Lambda event for Kinesis (zlib with compress), SNS and
// apps, and for S3 a notification whose object holds rec as a JSON string,
// as StreamAlert's test framework writes it, so an S3 test event is always
// one record.
func deliver(ctx context.Context, e *Event, rec []byte, emit payload.EmitFunc) error {
	var element any
	var fetch payload.ObjectFetcher
	switch e.Service {
	case payload.ServiceKinesis:
		data, err := compress(rec, e.Compress)
		if err != nil {
			return err
		}
		element = map[string]any{
			"eventSource":    "aws:kinesis",
			"eventSourceARN": fmt.Sprintf("arn:aws:kinesis:%s:%s:stream/%s", testRegion, testAccount, e.Source),
			"kinesis":        map[string]any{"data": base64.StdEncoding.EncodeToString(data)},
		}
	case payload.ServiceSNS:
		element = map[string]any{"EventSource": "aws:sns", "Sns": map[string]any{
			"Type": "Notification", "Subject": "test", "Message": string(rec),
			"TopicArn": fmt.Sprintf("arn:aws:sns:%s:%s:%s", testRegion, testAccount, e.Source),
		}}
	case payload.ServiceApp:
		element = map[string]any{"streamalert_app": e.Source, "logs": []string{string(rec)}}
	case payload.ServiceS3:
		object, _ := json.Marshal(string(rec))
		fetch = objectFetcher(object)
		element = map[string]any{"eventSource": "aws:s3", "awsRegion": testRegion, "s3": map[string]any{
			"bucket": map[string]any{"name": e.Source},
			"object": map[string]any{"key": testKey, "size": len(object)},
		}}
	default:
		return fmt.Errorf("service %q is not one of kinesis, s3, sns, streamalert_app", e.Service)
	}
	event, err := json.Marshal(map[string]any{"Records": []any{element}})
	if err != nil {
		return err
	}
	return payload.Lambda(ctx, event, fetch, payload.Limits{}, emit)
}

func compress(rec []byte, on bool) ([]byte, error) {
	if !on {
		return rec, nil
	}
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	if _, err := w.Write(rec); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// objectFetcher serves one object whatever the bucket and key.
type objectFetcher []byte

func (o objectFetcher) Fetch(context.Context, string, string) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(o)), nil
}
