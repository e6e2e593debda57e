package payload

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// lineReader reads lines of at most max bytes. A longer line is skipped as
// it streams past, never held whole, and reported with its length.
type lineReader struct {
	br   *bufio.Reader
	max  int
	buf  []byte
	num  int // lines read so far
	read int64
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10), max: max}
}

// line is one line without its terminator ("\n" or "\r\n"). When
// oversize > 0 the line was longer than the limit: data is nil and
// oversize is its length.
type line struct {
	data     []byte
	num      int
	oversize int64
}

// next returns the next line, or io.EOF after the last. The data is valid
// until the next call. Any other error is the stream's (a truncated gzip
// stream, say), after the lines before it.
func (l *lineReader) next() (line, error) {
	l.buf = l.buf[:0]
	var long int64
	for {
		chunk, err := l.br.ReadSlice('\n')
		l.read += int64(len(chunk))
		switch {
		case long > 0:
			long += int64(len(chunk))
		case len(l.buf)+len(chunk) > l.max+2: // room for "\r\n"
			long = int64(len(l.buf) + len(chunk))
			l.buf = l.buf[:0]
		default:
			l.buf = append(l.buf, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && (err != io.EOF || len(l.buf) == 0 && long == 0) {
			return line{}, err
		}
		l.num++
		if long > 0 {
			if err == nil {
				long-- // the newline
			}
			return line{num: l.num, oversize: long}, nil
		}
		data := bytes.TrimSuffix(bytes.TrimSuffix(l.buf, []byte("\n")), []byte("\r"))
		if len(data) > l.max {
			return line{num: l.num, oversize: int64(len(data))}, nil
		}
		return line{data: data, num: l.num}, nil
	}
}
