package threatintel

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// BatchWriteAPI is the part of the DynamoDB client a DynamoWriter calls;
// *dynamodb.Client implements it.
type BatchWriteAPI interface {
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// DynamoWriterOptions configure a DynamoWriter.
type DynamoWriterOptions struct {
	// Table is the IOC table (see DynamoOptions.Table).
	Table string
	// Tries bounds the calls made for items DynamoDB leaves unprocessed
	// (8); Backoff is the first pause between them (50ms), doubling up
	// to MaxBackoff (5s), with jitter.
	Tries      int
	Backoff    time.Duration
	MaxBackoff time.Duration
	Logger     *slog.Logger
}

// DynamoWriter writes IOCs into the IOC table Dynamo reads, in the shape
// StreamAlert's threat intel downloader wrote (reference §7.5):
// ioc_value (the hash key, in the canonical form lookups use), ioc_type,
// sub_type, source and expiration_ts (Unix seconds, the table's TTL
// attribute). It is what threat intel feed apps write to on AWS.
type DynamoWriter struct {
	api  BatchWriteAPI
	opts DynamoWriterOptions
}

// writeMax is BatchWriteItem's limit of items per call.
const writeMax = 25

// maxKeyBytes is DynamoDB's limit on a hash key value.
const maxKeyBytes = 2048

// NewDynamoWriter returns a writer into opts.Table.
func NewDynamoWriter(api BatchWriteAPI, opts DynamoWriterOptions) (*DynamoWriter, error) {
	if api == nil || opts.Table == "" {
		return nil, errors.New("threatintel: IOC table writer: a client and a table are required")
	}
	if opts.Tries <= 0 {
		opts.Tries = 8
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 50 * time.Millisecond
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &DynamoWriter{api: api, opts: opts}, nil
}

// Write stores iocs and returns how many items it wrote. IOCs that cannot
// be looked up (an unknown type, a value invalid for its type or longer
// than a DynamoDB key) are skipped with a warning; of IOCs sharing a
// value, the one living longest is written, as one call may not name an
// item twice. It returns once every item is written, or with an error
// naming the table and how many items were not.
func (w *DynamoWriter) Write(ctx context.Context, iocs []IOC) (int, error) {
	items := w.items(iocs)
	for start := 0; start < len(items); start += writeMax {
		chunk := items[start:min(start+writeMax, len(items))]
		if left, err := w.writeChunk(ctx, chunk); err != nil {
			return start + len(chunk) - left, fmt.Errorf("threatintel: IOC table %s: %d of %d items not written: %w",
				w.opts.Table, len(items)-start-len(chunk)+left, len(items), err)
		}
	}
	return len(items), nil
}

// items converts iocs into write requests, one per canonical value.
func (w *DynamoWriter) items(iocs []IOC) []types.WriteRequest {
	index := map[string]int{}
	var keep []IOC
	for i, ioc := range iocs {
		if !slices.Contains(Types, ioc.Type) {
			w.skip(i, ioc.Type, "unknown IOC type")
			continue
		}
		v := canonical(ioc.Type, ioc.Value)
		switch {
		case v == "":
			w.skip(i, ioc.Type, "value is not valid for its type")
			continue
		case len(v) > maxKeyBytes:
			w.skip(i, ioc.Type, fmt.Sprintf("value is %d bytes, over DynamoDB's %d-byte key limit", len(v), maxKeyBytes))
			continue
		}
		ioc.Value = v
		at, seen := index[v]
		switch {
		case !seen:
			index[v] = len(keep)
			keep = append(keep, ioc)
		case outlives(ioc, keep[at]):
			keep[at] = ioc
		}
	}
	out := make([]types.WriteRequest, len(keep))
	for i, ioc := range keep {
		out[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: iocItem(ioc)}}
	}
	return out
}

// outlives reports whether a expires after b; 0 is never.
func outlives(a, b IOC) bool {
	return b.Expires != 0 && (a.Expires == 0 || a.Expires > b.Expires)
}

func (w *DynamoWriter) skip(i int, typ, why string) {
	w.opts.Logger.Warn("threatintel: IOC skipped", "table", w.opts.Table, "index", i, "ioc_type", typ, "reason", why)
}

// iocItem is the table item of an IOC whose value is canonical.
func iocItem(ioc IOC) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		"ioc_value": &types.AttributeValueMemberS{Value: ioc.Value},
		"ioc_type":  &types.AttributeValueMemberS{Value: ioc.Type},
	}
	if ioc.SubType != "" {
		item["sub_type"] = &types.AttributeValueMemberS{Value: ioc.SubType}
	}
	if ioc.Source != "" {
		item["source"] = &types.AttributeValueMemberS{Value: ioc.Source}
	}
	if ioc.Expires != 0 {
		item["expiration_ts"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(ioc.Expires, 10)}
	}
	return item
}

// writeChunk writes up to writeMax items, calling again for the items
// DynamoDB leaves unprocessed, and returns how many are left unwritten.
func (w *DynamoWriter) writeChunk(ctx context.Context, chunk []types.WriteRequest) (int, error) {
	pending := map[string][]types.WriteRequest{w.opts.Table: chunk}
	wait := w.opts.Backoff
	for try := 0; ; try++ {
		out, err := w.api.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
		if err != nil {
			return len(pending[w.opts.Table]), fmt.Errorf("batch write: %w", err)
		}
		pending = out.UnprocessedItems
		left := len(pending[w.opts.Table])
		if left == 0 {
			return 0, nil
		}
		if try+1 >= w.opts.Tries {
			return left, fmt.Errorf("unprocessed after %d calls (the table's write capacity is exhausted)", w.opts.Tries)
		}
		// Full jitter, as AWS advises for unprocessed items.
		pause := time.Duration(rand.Int64N(int64(wait))) + time.Millisecond
		select {
		case <-ctx.Done():
			return left, ctx.Err()
		case <-time.After(pause):
		}
		wait = min(2*wait, w.opts.MaxBackoff)
	}
}
