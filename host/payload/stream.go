package payload

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/streamalert-go/sa/host/classify/rawjson"
)

// eventMaxDepth bounds nesting in delivery envelopes (Lambda events, S3
// notifications): generous, since records are checked again, more
// strictly, by the parsers.
const eventMaxDepth = 10000

// streamReader reads an S3 object or a body as StreamAlert reads S3
// objects: when the whole content is one JSON value it is one record
// (splitArray: a JSON array gives its elements instead); when the first
// line is a JSON value, each line is a record (JSON lines); otherwise each
// line is a record as it is (raw lines). Lines are read as a stream and
// records handed to the collector in batches.
//
// A JSON string read as a whole value or a JSON line becomes the text it
// spells, since Python decoded it once already and its parsers decode
// records again. Unlike StreamAlert, raw lines lose their line terminator,
// blank lines are skipped, and an invalid line in a JSON lines stream is
// passed on as it is (the parser then reports it) instead of failing the
// whole object.
type streamReader struct {
	lim        Limits
	col        *collector
	splitArray bool
	jsonLines  bool
}

func (s *streamReader) read(ctx context.Context, r io.Reader) error {
	lr := newLineReader(r, s.lim.MaxRecordBytes)
	first, err := s.firstLine(lr)
	if err != nil || first.data == nil && first.oversize == 0 {
		return s.streamErr(err, lr)
	}
	if first.oversize == 0 && multiLineCandidate(first.data) {
		return s.tryWhole(ctx, lr, first)
	}
	s.jsonLines = first.oversize == 0 && rawjson.Validate(first.data, eventMaxDepth) == nil
	if s.jsonLines && s.splitArray && rawjson.KindOf(rawjson.Trim(first.data)) == rawjson.Array {
		return s.arrayLine(ctx, lr, first)
	}
	if err := s.line(first); err != nil {
		return err
	}
	return s.rest(ctx, lr)
}

// arrayLine handles a first line holding a whole JSON array: alone in the
// stream it is a batch to split, followed by more lines it is the first of
// JSON lines.
func (s *streamReader) arrayLine(ctx context.Context, lr *lineReader, first line) error {
	held := line{data: append([]byte(nil), first.data...), num: first.num}
	next, err := s.firstLine(lr)
	if err == io.EOF {
		return s.value(held.data, held.num)
	}
	if err := s.line(held); err != nil {
		return err
	}
	if err != nil {
		return s.streamErr(err, lr)
	}
	if err := s.line(next); err != nil {
		return err
	}
	return s.rest(ctx, lr)
}

// firstLine returns the first line that is not blank.
func (s *streamReader) firstLine(lr *lineReader) (line, error) {
	for {
		l, err := lr.next()
		if err != nil || l.oversize > 0 || len(rawjson.Trim(l.data)) > 0 {
			return l, err
		}
	}
}

// multiLineCandidate reports whether a first line may start a JSON value
// that spans lines: only an object or array can (a string cannot hold a
// raw newline), and it does not end on the first line.
func multiLineCandidate(first []byte) bool {
	t := rawjson.Trim(first)
	return (t[0] == '{' || t[0] == '[') && rawjson.Validate(t, eventMaxDepth) != nil
}

// tryWhole gathers lines while they may form one JSON value of at most
// MaxRecordBytes. If they do, that is the record; if not, the gathered
// lines are raw lines and the stream goes on as raw lines.
func (s *streamReader) tryWhole(ctx context.Context, lr *lineReader, first line) error {
	lines := []line{{data: append([]byte(nil), first.data...), num: first.num}}
	size := len(first.data)
	var err error
	for size <= s.lim.MaxRecordBytes {
		var l line
		if l, err = lr.next(); err != nil {
			break
		}
		if l.oversize > 0 {
			lines = append(lines, l)
			size = s.lim.MaxRecordBytes + 1
			break
		}
		lines = append(lines, line{data: append([]byte(nil), l.data...), num: l.num})
		size += len(l.data) + 1
	}
	if err == io.EOF && size <= s.lim.MaxRecordBytes {
		whole := joinLines(lines, size)
		if rawjson.Validate(whole, eventMaxDepth) == nil {
			return s.value(whole, first.num)
		}
	}
	for _, l := range lines {
		if err := s.line(l); err != nil {
			return err
		}
	}
	if err != nil {
		return s.streamErr(err, lr)
	}
	return s.rest(ctx, lr)
}

func joinLines(lines []line, size int) []byte {
	whole := make([]byte, 0, size)
	for i, l := range lines {
		if i > 0 {
			whole = append(whole, '\n')
		}
		whole = append(whole, l.data...)
	}
	return whole
}

// rest reads the remaining lines.
func (s *streamReader) rest(ctx context.Context, lr *lineReader) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		l, err := lr.next()
		if err != nil {
			return s.streamErr(err, lr)
		}
		if err := s.line(l); err != nil {
			return err
		}
	}
}

// streamErr ends a stream: io.EOF is the normal end; any other error is
// reported as a failure after the records already read.
func (s *streamReader) streamErr(err error, lr *lineReader) error {
	if err == nil || err == io.EOF {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return s.col.fail(Failure{Reason: fmt.Sprintf("stream broken after line %d (%d bytes read): %v", lr.num, lr.read, err)})
}

// line hands on one line; blank lines are skipped.
func (s *streamReader) line(l line) error {
	if l.oversize > 0 {
		return s.col.fail(Failure{Size: int(min(l.oversize, 1<<62)),
			Reason: fmt.Sprintf("line %d is %d bytes or more, over the %d-byte record limit", l.num, l.oversize, s.lim.MaxRecordBytes)})
	}
	t := rawjson.Trim(l.data)
	if len(t) == 0 {
		return nil
	}
	if s.jsonLines && rawjson.KindOf(t) == rawjson.String && rawjson.Validate(t, 1) == nil {
		return s.col.add([]byte(rawjson.Unquote(t)))
	}
	return s.col.add(append([]byte(nil), l.data...))
}

// value hands on a whole-stream JSON value.
func (s *streamReader) value(v []byte, num int) error {
	v = rawjson.Trim(v)
	switch rawjson.KindOf(v) {
	case rawjson.String:
		return s.col.add([]byte(rawjson.Unquote(v)))
	case rawjson.Array:
		if !s.splitArray {
			break
		}
		elems, _, err := rawjson.SplitArray(nil, v, eventMaxDepth)
		if err != nil {
			return s.col.fail(s.lim.failure(v, fmt.Sprintf("line %d: %v", num, err)))
		}
		for _, e := range elems {
			if rawjson.KindOf(e) == rawjson.String {
				e = []byte(rawjson.Unquote(e))
			}
			if err := s.col.add(e); err != nil {
				return err
			}
		}
		return nil
	}
	return s.col.add(v)
}
