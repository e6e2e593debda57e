package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// readBuffer is the bufio buffer size; lines longer than it are assembled
// from several reads.
const readBuffer = 64 << 10

// line is one line read, or the unterminated tail of the input.
type line struct {
	// text is the line without its newline or CRLF; nil when long. It is
	// only valid until the next call to next.
	text []byte
	// n is the number of bytes consumed, newline included.
	n int64
	// ended is true when a newline ended the line.
	ended bool
	// long is true when the line exceeded the limit; its bytes were
	// consumed but not kept.
	long bool
}

// lineReader splits input into lines of at most max bytes, without ever
// holding more than max bytes of one line in memory.
type lineReader struct {
	br  *bufio.Reader
	max int
	buf []byte
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, readBuffer), max: max}
}

// next reads the next line. At the end of input it returns the
// unterminated tail, if any, with ended false and the reader's error
// (io.EOF for a clean end); a tail-less end returns n == 0.
func (lr *lineReader) next() (line, error) {
	var ln line
	lr.buf = lr.buf[:0]
	for {
		chunk, err := lr.br.ReadSlice('\n')
		ln.n += int64(len(chunk))
		body := chunk
		if err == nil {
			body = chunk[:len(chunk)-1]
		}
		// One byte of slack for the '\r' of a CRLF ending, which is not
		// part of the line.
		if !ln.long && len(lr.buf)+len(body) > lr.max+1 {
			ln.long, lr.buf = true, lr.buf[:0]
		}
		if !ln.long {
			lr.buf = append(lr.buf, body...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		ln.ended = err == nil
		if !ln.long {
			ln.text = bytes.TrimSuffix(lr.buf, []byte{'\r'})
			ln.long = len(ln.text) > lr.max
		}
		if ln.long {
			ln.text = nil
		}
		return ln, err
	}
}
