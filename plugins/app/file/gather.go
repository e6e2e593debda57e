package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// maxBatchBytes bounds the log bytes of one batch, so batch_size lines of
// max_line_bytes each cannot build a message larger than the host accepts.
const maxBatchBytes = 8 << 20

// errStopped reports that the budget or the caller ended the poll.
var errStopped = errors.New("gather stopped before the end of the files")

// gatherer is one poll in progress: the state as it advances, and the logs
// not yet emitted.
type gatherer struct {
	ctx  context.Context
	cfg  settings
	log  *slog.Logger
	emit func(saplugin.Batch) error
	st   *state
	// last is the state the host has (or will have) last: the request's, or
	// that of the last batch emitted.
	last []byte

	// logs are the logs of the batch being filled, bytes their size.
	logs  [][]byte
	bytes int
	// full is a filled batch not yet emitted, with the state covering it.
	full *saplugin.Batch
}

// file reads the new lines of one file. Files that cannot be read are
// logged and skipped, keeping their state, so one bad file does not stop
// the others; only an emit failure or the end of the poll is returned.
func (g *gatherer) file(c candidate) error {
	rec := g.st.Files[c.path]
	if rec.Done && rec.id() == c.id && rec.Size == c.size && rec.MTime == c.mtime {
		return nil // read to the end and unchanged since
	}
	if g.ctx.Err() != nil {
		return errStopped
	}
	f, err := os.Open(c.path)
	if err != nil {
		g.warn(c.path, err)
		return nil
	}
	defer f.Close()
	if err := g.track(f, c.path, rec); err != nil {
		g.warn(c.path, err)
		return nil
	}
	src, err := source(f, c.gzipped(), rec)
	if err != nil {
		g.tail(c, rec, line{}, err)
		return nil
	}
	return g.lines(c, rec, newLineReader(src, g.cfg.maxLine))
}

// lines consumes src line by line until its end, the end of the poll, or a
// read error.
func (g *gatherer) lines(c candidate, rec *fileState, lr *lineReader) error {
	for {
		if g.ctx.Err() != nil {
			return errStopped
		}
		ln, err := lr.next()
		// A .gz file that ends cleanly has no writer left: its unterminated
		// last line is complete.
		if err == nil || (errors.Is(err, io.EOF) && c.gzipped() && ln.n > 0) {
			if err := g.consume(c.path, rec, ln); err != nil {
				return err
			}
			continue
		}
		g.tail(c, rec, ln, err)
		return nil
	}
}

// consume accounts for one complete line and queues it unless it is blank
// or over-long.
func (g *gatherer) consume(path string, rec *fileState, ln line) error {
	rec.Offset += ln.n
	if rec.Discard {
		rec.Discard = false // the end of a line skipped in an earlier poll
		return nil
	}
	rec.Line++
	if ln.long {
		g.skip(path, rec)
		return nil
	}
	if len(bytes.TrimSpace(ln.text)) == 0 {
		return nil
	}
	return g.add(ln.text)
}

// tail handles the end of what can be read of a file now. An unterminated
// last line is held back (Offset stays at its start) until its newline
// arrives, except an over-long one, which is skipped at once so it is not
// re-read every poll. Read errors are logged; a .gz file that fails is not
// retried until it changes, a plain file is retried next poll.
func (g *gatherer) tail(c candidate, rec *fileState, ln line, err error) {
	switch {
	case ln.n == 0:
	case rec.Discard:
		rec.Offset += ln.n
	case ln.long:
		rec.Offset += ln.n
		rec.Line++
		g.skip(c.path, rec)
		rec.Discard = true
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		g.warn(c.path, err)
		if !c.gzipped() {
			return
		}
	}
	rec.Done = true
}

// add queues a log. A batch that fills is held until the next log arrives,
// so that the last batch of a poll carries the final state and More rather
// than being followed by an empty batch that does.
func (g *gatherer) add(text []byte) error {
	if g.full != nil {
		if err := g.send(*g.full); err != nil {
			return err
		}
		g.full = nil
	}
	g.logs = append(g.logs, bytes.Clone(text))
	g.bytes += len(text)
	if len(g.logs) >= g.cfg.batchSize || g.bytes >= maxBatchBytes {
		g.full = &saplugin.Batch{Logs: g.logs, State: g.st.encode()}
		g.logs, g.bytes = nil, 0
	}
	return nil
}

// finish emits the last batch: the held or pending logs, a changed state,
// or the news that more remains. A poll that found nothing emits nothing.
func (g *gatherer) finish(more bool) error {
	st := g.st.encode()
	if g.full != nil {
		// Lines consumed since the batch filled were blank or skipped, so
		// the final state covers exactly the same logs.
		g.full.State, g.full.More = st, more
		return g.send(*g.full)
	}
	if len(g.logs) == 0 && !more && bytes.Equal(st, g.last) {
		return nil
	}
	return g.send(saplugin.Batch{Logs: g.logs, State: st, More: more})
}

// send emits one batch.
func (g *gatherer) send(b saplugin.Batch) error {
	g.last = b.State
	if err := g.emit(b); err != nil {
		return fmt.Errorf("file: emit batch: %w", err)
	}
	return nil
}

// skip reports an over-long line; rec.Line is its number.
func (g *gatherer) skip(path string, rec *fileState) {
	rec.Skipped++
	g.log.Warn("line longer than max_line_bytes skipped", "file", path, "line", rec.Line,
		"max_line_bytes", g.cfg.maxLine, "skipped_in_file", rec.Skipped)
}

func (g *gatherer) warn(path string, err error) {
	g.log.Warn("cannot read file", "file", path, "error", err.Error())
}
