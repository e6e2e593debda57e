package payload

// collector gathers the records and failures of a stream into batches of
// bounded size and hands each full batch on.
type collector struct {
	lim   Limits
	emit  EmitFunc
	batch Batch
	size  int
}

func newCollector(src Source, lim Limits, emit EmitFunc) *collector {
	return &collector{lim: lim, emit: emit, batch: Batch{Source: src}}
}

// add takes a record, which the collector keeps: the caller must not
// reuse its memory.
func (c *collector) add(rec []byte) error {
	c.batch.Records = append(c.batch.Records, rec)
	c.size += len(rec)
	return c.maybeFlush()
}

func (c *collector) fail(f Failure) error {
	c.batch.Failures = append(c.batch.Failures, f)
	c.size += len(f.Raw)
	return c.maybeFlush()
}

func (c *collector) maybeFlush() error {
	if len(c.batch.Records)+len(c.batch.Failures) < c.lim.BatchRecords && c.size < c.lim.BatchBytes {
		return nil
	}
	return c.flush()
}

// flush hands on the batch gathered so far, if any.
func (c *collector) flush() error {
	if len(c.batch.Records) == 0 && len(c.batch.Failures) == 0 {
		return nil
	}
	b := c.batch
	c.batch, c.size = Batch{Source: b.Source}, 0
	return c.emit(b)
}
