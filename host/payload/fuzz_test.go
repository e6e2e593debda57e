package payload_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/streamalert-go/sa/host/payload"
)

// fuzzLimits are small so the fuzzer reaches every limit.
var fuzzLimits = payload.Limits{MaxRecordBytes: 4096, MaxObjectBytes: 1 << 16, MaxExpandedBytes: 1 << 16, BatchRecords: 7}

// checkBatches asserts what every decoder promises whatever the input:
// records within the limit, failures with reasons.
func checkBatches(t *testing.T, batches []payload.Batch) {
	for _, b := range batches {
		for _, r := range b.Records {
			if len(r) > fuzzLimits.MaxRecordBytes {
				t.Fatalf("record of %d bytes passed the %d-byte limit", len(r), fuzzLimits.MaxRecordBytes)
			}
		}
		for _, f := range b.Failures {
			if f.Reason == "" || len(f.Raw) > 64<<10 {
				t.Fatalf("failure %+v", f)
			}
		}
	}
}

func FuzzLambda(f *testing.F) {
	f.Add(event(f, kinesisElem("s", b64([]byte(`{"a":1}`))), kinesisElem("s", "!!")))
	f.Add(event(f, kinesisElem("s", b64(gz(f, "x\ny")))))
	f.Add(event(f, s3Elem("b", "k", 3), map[string]any{"streamalert_app": "a", "logs": []any{"x", 1}}))
	f.Add(event(f, map[string]any{"Sns": map[string]any{"Message": `{"Records":[{"s3":{}}]}`, "Type": "Notification",
		"Subject": "Amazon S3 Notification"}}))
	f.Fuzz(func(t *testing.T, ev []byte) {
		var c collect
		store := objects{"b/k": []byte("a\nb"), "/": nil}
		_ = payload.Lambda(context.Background(), ev, store, fuzzLimits, c.emit)
		checkBatches(t, c.batches)
	})
}

func FuzzReadBody(f *testing.F) {
	for _, s := range []string{"{\n\"a\": 1\n}", "[1, \"x\"]", "a\nb\r\n\n", "\"s\"\n{}", "{ x\n}", "[\n1,\n"} {
		f.Add([]byte(s), false)
		f.Add(gz(f, s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, object bool) {
		var c collect
		fn := payload.ReadBody
		if object {
			fn = payload.ReadObject
		}
		if err := fn(context.Background(), src, bytes.NewReader(data), fuzzLimits, c.emit); err != nil {
			t.Fatal(err)
		}
		checkBatches(t, c.batches)
	})
}

func FuzzKinesisData(f *testing.F) {
	for _, s := range []string{b64([]byte("plain")), b64(zl(f, "zlib")), b64(gz(f, "gzip")), "x^==", "@@"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		rec, err := payload.KinesisData(data, fuzzLimits)
		if err == nil && len(rec) > fuzzLimits.MaxRecordBytes {
			t.Fatalf("record of %d bytes", len(rec))
		}
	})
}
