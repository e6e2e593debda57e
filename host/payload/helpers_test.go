package payload_test

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/payload"
)

func gz(t testing.TB, data string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return b.Bytes()
}

func zl(t testing.TB, data string) []byte {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	if _, err := w.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return b.Bytes()
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// collect gathers emitted batches.
type collect struct{ batches []payload.Batch }

func (c *collect) emit(b payload.Batch) error {
	c.batches = append(c.batches, b)
	return nil
}

// records lists every record as "service/resource: text", and failures as
// "service/resource: FAIL reason".
func (c *collect) records() []string {
	var out []string
	for _, b := range c.batches {
		src := b.Source.Service + "/" + b.Source.Resource
		for _, r := range b.Records {
			out = append(out, src+": "+string(r))
		}
		for _, f := range b.Failures {
			out = append(out, src+": FAIL "+f.Reason)
		}
	}
	return out
}

// objects is an ObjectFetcher over a map of "bucket/key".
type objects map[string][]byte

func (o objects) Fetch(_ context.Context, bucket, key string) (io.ReadCloser, error) {
	data, ok := o[bucket+"/"+key]
	if !ok {
		return nil, fmt.Errorf("no object %s/%s", bucket, key)
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// event builds a Lambda event from its elements.
func event(t testing.TB, elems ...any) []byte {
	data, err := json.Marshal(map[string]any{"Records": elems})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func kinesisElem(stream, data string) map[string]any {
	return map[string]any{"eventSourceARN": "arn:aws:kinesis:us-east-1:1:stream/" + stream, "kinesis": map[string]any{"data": data}}
}

func s3Elem(bucket, key string, size int) map[string]any {
	return map[string]any{"s3": map[string]any{"bucket": map[string]any{"name": bucket}, "object": map[string]any{"key": key, "size": size}}}
}

func expect(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
