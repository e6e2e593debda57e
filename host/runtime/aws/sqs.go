package aws

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/streamalert-go/sa/internal/batch"
)

// SQSAPI is the part of the SQS client the classifier calls;
// *sqs.Client implements it.
type SQSAPI interface {
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

// MaxMessageBytes is the largest SQS message body the classifier sends,
// and the most one SendMessageBatch call carries: SQS's long-standing
// 256 KiB limit, which every queue accepts.
const MaxMessageBytes = 256 << 10

// maxBatchEntries is SQS's limit on entries per SendMessageBatch.
const maxBatchEntries = 10

// sendTries bounds the attempts at entries SQS refused in a batch; the
// SDK retries whole calls that fail on its own.
const sendTries = 3

// body is one SQS message body: a JSON array of items, and which items it
// holds.
type body struct {
	data  []byte
	items []int
}

// pack puts items (each a JSON value) into JSON array bodies of at most
// limit bytes, in order. An item that cannot fit in a body on its own is
// returned in oversize instead.
func pack(items [][]byte, limit int) (bodies []body, oversize []int) {
	var cur body
	flush := func() {
		if len(cur.items) > 0 {
			cur.data = append(cur.data, ']')
			bodies = append(bodies, cur)
		}
		cur = body{}
	}
	for i, it := range items {
		if len(it)+2 > limit {
			oversize = append(oversize, i)
			continue
		}
		if len(cur.items) > 0 && len(cur.data)+1+len(it)+1 > limit {
			flush()
		}
		if len(cur.items) == 0 {
			cur.data = append(make([]byte, 0, min(limit, 4096)), '[')
		} else {
			cur.data = append(cur.data, ',')
		}
		cur.data = append(cur.data, it...)
		cur.items = append(cur.items, i)
	}
	flush()
	return bodies, oversize
}

// sendBodies sends bodies to the queue with SendMessageBatch, as few calls
// as SQS's limits allow, and returns the indexes of the bodies that were
// not accepted, with the last error seen. Entries SQS refuses are tried
// again, up to sendTries times.
func sendBodies(ctx context.Context, api SQSAPI, queue string, bodies []body) (failed map[int]bool, err error) {
	pending := make([]int, len(bodies))
	for i := range pending {
		pending[i] = i
	}
	for try := 0; len(pending) > 0 && try < sendTries; try++ {
		if try > 0 {
			if werr := sleep(ctx, time.Duration(100<<try)*time.Millisecond); werr != nil {
				err = werr
				break
			}
		}
		var again []int
		for _, call := range batches(bodies, pending) {
			refused, cerr := sendBatch(ctx, api, queue, bodies, call)
			if cerr != nil {
				err = cerr
			}
			again = append(again, refused...)
		}
		pending = again
	}
	failed = map[int]bool{}
	for _, i := range pending {
		failed[i] = true
	}
	return failed, err
}

// batches splits the pending bodies into calls of at most maxBatchEntries
// entries and MaxMessageBytes in all.
func batches(bodies []body, pending []int) [][]int {
	return batch.Split(pending, func(i int) int { return len(bodies[i].data) }, maxBatchEntries, MaxMessageBytes)
}

// sendBatch sends one call and returns the bodies SQS did not accept.
func sendBatch(ctx context.Context, api SQSAPI, queue string, bodies []body, call []int) ([]int, error) {
	in := &sqs.SendMessageBatchInput{QueueUrl: awssdk.String(queue)}
	for _, i := range call {
		in.Entries = append(in.Entries, types.SendMessageBatchRequestEntry{
			Id: awssdk.String(strconv.Itoa(i)), MessageBody: awssdk.String(string(bodies[i].data)),
		})
	}
	out, err := api.SendMessageBatch(ctx, in)
	if err != nil {
		return call, fmt.Errorf("sqs: send message batch: %w", err)
	}
	sent := map[int]bool{}
	for _, i := range call {
		sent[i] = true
	}
	var refused []int
	var last error
	for _, f := range out.Failed {
		i, cerr := strconv.Atoi(awssdk.ToString(f.Id))
		if cerr != nil || !sent[i] {
			continue // not an entry of this call
		}
		refused = append(refused, i)
		last = fmt.Errorf("sqs: entry refused: %s", awssdk.ToString(f.Code))
	}
	if len(out.Successful)+len(refused) < len(call) {
		return call, errors.New("sqs: send message batch: response accounts for fewer entries than were sent")
	}
	return refused, last
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
