package classify

import (
	"context"
	"errors"
	"sync"
)

// minShardBytes keeps small batches on one goroutine: below it, splitting
// costs more parser calls than the parallelism saves.
const minShardBytes = 256 << 10

// runShards splits the batch into contiguous shards of about equal bytes,
// one per worker, and classifies them concurrently. Each shard walks the
// schemas on its own, so a batch keeps up to Workers parser calls in
// flight, and the calls per batch stay proportional to the schemas tried,
// not to the records.
func (c *Classifier) runShards(ctx context.Context, src Source, cluster string, schemas []*schema, records [][]byte, results []Result) error {
	bounds := shardBounds(records, c.opts.Workers)
	if len(bounds) == 1 {
		return c.newRun(src, cluster, schemas, records, results).classify(ctx)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(bounds))
	var wg sync.WaitGroup
	for i, b := range bounds {
		wg.Go(func() {
			r := c.newRun(src, cluster, schemas, records[b[0]:b[1]], results[b[0]:b[1]])
			if errs[i] = r.classify(ctx); errs[i] != nil {
				cancel() // the batch fails as a whole; stop the others
			}
		})
	}
	wg.Wait()
	return firstCause(errs)
}

// firstCause returns the first error that is not a cancellation caused by
// another shard's failure.
func firstCause(errs []error) error {
	var first error
	for _, err := range errs {
		switch {
		case err == nil:
		case !errors.Is(err, context.Canceled):
			return err
		case first == nil:
			first = err
		}
	}
	return first
}

// shardBounds returns [start, end) ranges of records.
func shardBounds(records [][]byte, workers int) [][2]int {
	total := 0
	for _, r := range records {
		total += len(r)
	}
	n := min(workers, len(records), max(1, total/minShardBytes))
	if n <= 1 {
		return [][2]int{{0, len(records)}}
	}
	bounds := make([][2]int, 0, n)
	start, acc := 0, 0
	for i, r := range records {
		acc += len(r)
		if len(bounds) < n-1 && acc*n >= total*(len(bounds)+1) {
			bounds = append(bounds, [2]int{start, i + 1})
			start = i + 1
		}
	}
	if start < len(records) {
		bounds = append(bounds, [2]int{start, len(records)})
	}
	return bounds
}
