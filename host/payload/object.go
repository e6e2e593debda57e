package payload

import (
	"context"
	"fmt"
	"io"
)

// ReadObject reads the content of an S3 object from r as StreamAlert does
// (see streamReader) and hands its records to emit in batches from src.
// Gzip is detected by its magic bytes. A stream that breaks (truncated
// gzip, a read error) ends with a Failure after the records read before;
// only ctx ending or emit failing make ReadObject return an error.
func ReadObject(ctx context.Context, src Source, r io.Reader, lim Limits, emit EmitFunc) error {
	return readStream(ctx, src, r, lim, emit, false)
}

// ReadBody reads an HTTP request body or a file the embedded runtime
// ingests: as ReadObject, except that a body that is one JSON array is a
// batch, each element a record. So a body may be a JSON array of records,
// JSON lines, raw lines, or a single JSON document, gzip'd or not.
func ReadBody(ctx context.Context, src Source, r io.Reader, lim Limits, emit EmitFunc) error {
	return readStream(ctx, src, r, lim, emit, true)
}

func readStream(ctx context.Context, src Source, r io.Reader, lim Limits, emit EmitFunc, splitArray bool) error {
	lim = lim.withDefaults()
	col := newCollector(src, lim, emit)
	in := &boundedReader{r: r, left: lim.MaxObjectBytes, max: lim.MaxObjectBytes, what: "input"}
	stream, err := openStream(in, lim.MaxExpandedBytes)
	if err != nil {
		if err := col.fail(Failure{Reason: err.Error()}); err != nil {
			return err
		}
		return col.flush()
	}
	sr := &streamReader{lim: lim, col: col, splitArray: splitArray}
	if err := sr.read(ctx, stream); err != nil {
		return err
	}
	return col.flush()
}

// ReadObjects fetches and reads the objects of S3 notifications. An empty
// object has no records (StreamAlert skips it too); one larger than
// MaxObjectBytes is a Failure without being fetched. An error from fetch is
// returned: whether it may pass is the fetcher's to say.
func ReadObjects(ctx context.Context, refs []ObjectRef, fetch ObjectFetcher, lim Limits, emit EmitFunc) error {
	lim = lim.withDefaults()
	for _, ref := range refs {
		src := Source{Service: ServiceS3, Resource: ref.Bucket}
		switch {
		case ref.Size == 0:
			continue
		case ref.Size > lim.MaxObjectBytes:
			f := Failure{Size: int(min(ref.Size, 1<<62)), Reason: fmt.Sprintf("object %s/%s is %d bytes, over the %d-byte limit",
				ref.Bucket, ref.Key, ref.Size, lim.MaxObjectBytes)}
			if err := emit(Batch{Source: src, Failures: []Failure{f}}); err != nil {
				return err
			}
			continue
		}
		if err := readFetched(ctx, ref, src, fetch, lim, emit); err != nil {
			return err
		}
	}
	return nil
}

func readFetched(ctx context.Context, ref ObjectRef, src Source, fetch ObjectFetcher, lim Limits, emit EmitFunc) error {
	if fetch == nil {
		return fmt.Errorf("payload: S3 notification for %s/%s, but no object fetcher", ref.Bucket, ref.Key)
	}
	body, err := fetch.Fetch(ctx, ref.Bucket, ref.Key)
	if err != nil {
		return fmt.Errorf("payload: fetch s3://%s/%s: %w", ref.Bucket, ref.Key, err)
	}
	defer body.Close()
	return ReadObject(ctx, src, body, lim, emit)
}
