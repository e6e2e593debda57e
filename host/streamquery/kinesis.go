package streamquery

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamalert-go/sa/internal/batch"
)

// KinesisAPI is the part of the Kinesis client the function calls;
// *kinesis.Client implements it.
type KinesisAPI interface {
	PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, opts ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error)
}

// Kinesis's limits on one PutRecords call.
const (
	maxPutRecords = 500
	maxPutBytes   = 5 << 20
)

// putTries bounds the attempts at records Kinesis refused in a call (it
// answers throttled or failed entries one by one); the SDK retries whole
// calls that fail on its own.
const putTries = 5

// put puts records with the partition key key onto the stream, as few
// calls as Kinesis's limits allow, trying again only the records Kinesis
// refused.
func (h *Handler) put(ctx context.Context, key string, records [][]byte) error {
	pending := make([]int, len(records))
	for i := range pending {
		pending[i] = i
	}
	var last string
	for try := 0; len(pending) > 0; try++ {
		if try == putTries {
			return fmt.Errorf("kinesis: put records to stream %s: %d of %d records refused after %d tries: %s", h.o.Stream, len(pending), len(records), putTries, last)
		}
		if try > 0 {
			if err := sleep(ctx, min(h.o.RetryWait<<(try-1), 5*time.Second)); err != nil {
				return fmt.Errorf("kinesis: put records to stream %s: %d records not sent: %w", h.o.Stream, len(pending), err)
			}
		}
		var again []int
		for _, call := range putCalls(records, pending, len(key)) {
			refused, why, err := h.putCall(ctx, key, records, call)
			if err != nil {
				return err
			}
			if len(refused) > 0 {
				last = why
			}
			again = append(again, refused...)
		}
		pending = again
	}
	return nil
}

// putCalls splits the pending records into calls within Kinesis's
// limits.
func putCalls(records [][]byte, pending []int, keyLen int) [][]int {
	return batch.Split(pending, func(i int) int { return len(records[i]) + keyLen }, maxPutRecords, maxPutBytes)
}

// putCall makes one call and returns the records Kinesis refused, with
// the reason of the last one.
func (h *Handler) putCall(ctx context.Context, key string, records [][]byte, call []int) ([]int, string, error) {
	in := &kinesis.PutRecordsInput{StreamName: aws.String(h.o.Stream), Records: make([]types.PutRecordsRequestEntry, len(call))}
	for j, i := range call {
		in.Records[j] = types.PutRecordsRequestEntry{Data: records[i], PartitionKey: aws.String(key)}
	}
	out, err := h.o.Kinesis.PutRecords(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("kinesis: put records to stream %s: %w", h.o.Stream, err)
	}
	if len(out.Records) != len(call) {
		return nil, "", fmt.Errorf("kinesis: put records to stream %s: %d results for %d records", h.o.Stream, len(out.Records), len(call))
	}
	var refused []int
	var why string
	for j, r := range out.Records {
		if aws.ToString(r.ErrorCode) != "" {
			refused = append(refused, call[j])
			why = aws.ToString(r.ErrorCode) + ": " + aws.ToString(r.ErrorMessage)
		}
	}
	return refused, why, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
