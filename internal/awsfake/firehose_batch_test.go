package awsfake

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

func batch(stream string, datas ...[]byte) *firehose.PutRecordBatchInput {
	in := &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String(stream)}
	for _, d := range datas {
		in.Records = append(in.Records, types.Record{Data: d})
	}
	return in
}

func repeat(n, size int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = bytes.Repeat([]byte("x"), size)
	}
	return out
}

// TestPutRecordBatch: records are answered in order, the ones a test
// refuses with the per-record error, and the rest delivered; the limits
// and a missing stream are refused whole.
func TestPutRecordBatch(t *testing.T) {
	s := New(t)
	s.AddStream("logs")
	c := s.FirehoseClient(1)
	ctx := context.Background()

	s.FailFirehoseRecords(func(stream string, data []byte) bool { return stream == "logs" && string(data) == "b\n" })
	out, err := c.PutRecordBatch(ctx, batch("logs", []byte("a\n"), []byte("b\n"), []byte("c\n")))
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(out.FailedPutCount) != 1 || len(out.RequestResponses) != 3 || aws.ToBool(out.Encrypted) {
		t.Fatalf("answer %+v", out)
	}
	for i, r := range out.RequestResponses {
		failed := aws.ToString(r.ErrorCode) == "ServiceUnavailableException" && r.RecordId == nil && aws.ToString(r.ErrorMessage) != ""
		if ok := r.RecordId != nil && r.ErrorCode == nil; ok == (i == 1) || failed != (i == 1) {
			t.Errorf("entry %d: %+v", i, r)
		}
	}
	if got := s.FirehoseRecords("logs"); len(got) != 2 || string(got[0]) != "a\n" || string(got[1]) != "c\n" {
		t.Errorf("delivered %q", got)
	}
	if got := s.Only(t, "PutRecordBatch").BatchData(); len(got) != 3 || string(got[1]) != "b\n" {
		t.Errorf("call data %q", got)
	}
	s.FailFirehoseRecords(nil)

	tests := []struct {
		name string
		in   *firehose.PutRecordBatchInput
		code string
		ok   bool
	}{
		{"500 records", batch("logs", repeat(500, 10)...), "", true},
		{"501 records", batch("logs", repeat(501, 10)...), "InvalidArgumentException", false},
		{"record of 1,000 KiB", batch("logs", repeat(1, 1000<<10)...), "", true},
		{"record over 1,000 KiB", batch("logs", repeat(1, 1000<<10+1)...), "InvalidArgumentException", false},
		{"4 MiB", batch("logs", append(repeat(4, 1000<<10), repeat(1, 4<<20-4*(1000<<10))...)...), "", true},
		{"over 4 MiB", batch("logs", append(repeat(4, 1000<<10), repeat(1, 4<<20-4*(1000<<10)+1)...)...), "InvalidArgumentException", false},
		{"missing stream", batch("gone", []byte("a")), "ResourceNotFoundException", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(s.FirehoseRecords("logs"))
			_, err := c.PutRecordBatch(ctx, tt.in)
			if got := code(err); got != tt.code {
				t.Fatalf("error %v, want code %q", err, tt.code)
			}
			if n := len(s.FirehoseRecords("logs")) - before; tt.ok != (n == len(tt.in.Records)) || !tt.ok && n != 0 {
				t.Errorf("%d records delivered", n)
			}
			if !tt.ok && !strings.Contains(err.Error(), tt.code) {
				t.Errorf("error %v", err)
			}
		})
	}
}
