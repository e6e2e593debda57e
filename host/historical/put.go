package historical

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/smithy-go"

	"github.com/streamalert-go/sa/internal/batch"
)

// put delivers lines to stream, trying the lines Firehose refuses again,
// alone, up to Tries times in all, and returns the positions of the lines
// still not delivered, with an error naming the stream.
func (s *Sender) put(ctx context.Context, stream string, lines [][]byte) ([]int, error) {
	pending := make([]int, len(lines))
	for i := range pending {
		pending[i] = i
	}
	var last error
	try := 0
	for try < s.o.Tries && len(pending) > 0 {
		try++
		var again []int
		stop := false
		for _, call := range batches(lines, pending) {
			refused, err := s.call(ctx, stream, lines, call)
			again = append(again, refused...)
			if err != nil {
				last = err
				stop = stop || permanent(ctx, err)
			}
		}
		pending = again
		if err := ctx.Err(); err != nil && len(pending) > 0 {
			last = fmt.Errorf("%w (last error: %w)", err, orUnknown(last))
			break
		}
		if len(pending) == 0 || stop || try == s.o.Tries {
			break
		}
		if err := s.wait(ctx, try); err != nil {
			last = err
			break
		}
	}
	if len(pending) == 0 {
		return nil, nil
	}
	tries := "1 try"
	if try != 1 {
		tries = fmt.Sprintf("%d tries", try)
	}
	return pending, fmt.Errorf("historical: stream %s: %d of %d records not delivered after %s: %w",
		stream, len(pending), len(lines), tries, orUnknown(last))
}

// batches splits the pending lines, in order, into calls of at most
// MaxBatchRecords records and MaxBatchBytes bytes.
func batches(lines [][]byte, pending []int) [][]int {
	return batch.Split(pending, func(i int) int { return len(lines[i]) }, MaxBatchRecords, MaxBatchBytes)
}

// call sends one PutRecordBatch and returns the lines Firehose did not
// take: those its answer marks failed, or all of them when the call
// failed.
func (s *Sender) call(ctx context.Context, stream string, lines [][]byte, call []int) ([]int, error) {
	in := &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String(stream), Records: make([]types.Record, len(call))}
	for j, i := range call {
		in.Records[j] = types.Record{Data: lines[i]}
	}
	out, err := s.api.PutRecordBatch(ctx, in)
	if err != nil {
		return call, fmt.Errorf("put record batch: %w", err)
	}
	if len(out.RequestResponses) != len(call) {
		return call, fmt.Errorf("put record batch: %d answers for %d records", len(out.RequestResponses), len(call))
	}
	var refused []int
	for j, r := range out.RequestResponses {
		if r.ErrorCode != nil || r.RecordId == nil {
			refused = append(refused, call[j])
			err = fmt.Errorf("record refused: %s: %s", aws.ToString(r.ErrorCode), aws.ToString(r.ErrorMessage))
		}
	}
	return refused, err
}

// wait sleeps before try+1: FirstWait doubled per try, at most MaxWait,
// less up to half for jitter, so that classifiers throttled together do
// not retry together. A wait the context's deadline leaves no room for is
// not started.
func (s *Sender) wait(ctx context.Context, try int) error {
	d := s.o.FirstWait
	for k := 1; k < try && d < s.o.MaxWait; k++ {
		d *= 2
	}
	d = min(d, s.o.MaxWait)
	d -= rand.N(d/2 + 1)
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d+s.o.Reserve {
		return fmt.Errorf("no time left to retry before the deadline: %w", context.DeadlineExceeded)
	}
	return s.o.Sleep(ctx, d)
}

// permanent reports whether err means trying again is useless: the
// context ended, or Firehose refused the request itself (no such stream,
// a bad argument, access denied) rather than being unable to take it now.
func permanent(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return true
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false // no answer: a connection failed or timed out
	}
	if _, throttled := retry.DefaultThrottleErrorCodes[api.ErrorCode()]; throttled {
		return false
	}
	switch api.ErrorFault() {
	case smithy.FaultClient:
		return true
	case smithy.FaultServer:
		return false
	}
	// An error Firehose's model does not name (AccessDeniedException):
	// judged by its status.
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() >= 400 && re.HTTPStatusCode() < 500 && re.HTTPStatusCode() != 429
}

func orUnknown(err error) error {
	if err == nil {
		return errors.New("no reason given")
	}
	return err
}
