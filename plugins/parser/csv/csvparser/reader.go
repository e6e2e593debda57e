package csvparser

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// dialect is the subset of Python's csv dialect StreamAlert configures.
// The rest is Python's default: doublequote on, skipinitialspace off,
// strict off, QUOTE_MINIMAL.
type dialect struct {
	delimiter, quote rune
	escape           rune // noEscape when unset
	// plainField and plainQuoted mark the bytes that are ordinary text in
	// an unquoted and a quoted field, so runs of them are copied at once;
	// withTables fills them in.
	plainField, plainQuoted *[256]bool
}

// withTables returns d with its byte tables.
func (d dialect) withTables() dialect {
	if d.plainField == nil {
		d.plainField, d.plainQuoted = plainTables(d)
	}
	return d
}

const noEscape = -1

// fieldLimit is Python's csv.field_size_limit() default, in characters. A
// longer field is an error there, and so here; it also bounds what one
// field of a huge record can cost.
const fieldLimit = 128 << 10

// The reader's states, named after those of CPython's _csv module. The
// reader behaves as CPython 3.11's does (the table tests were checked
// against it), except that NUL is refused as Python 3.7 refused it.
type state int

const (
	startRecord state = iota
	startField
	escapedChar
	afterEscapedCRNL
	inField
	inQuotedField
	escapeInQuotedField
	quoteInQuotedField
	eatCRNL
)

// eol stands for the end of a line, which Python feeds its reader after
// every line it reads.
const eol rune = -2

var (
	errNewline = errors.New("new-line character seen in unquoted field")
	errNUL     = errors.New("line contains NUL")
	errLimit   = fmt.Errorf("field larger than field limit (%d)", fieldLimit)
)

// reader reads rows from text one at a time.
type reader struct {
	d     dialect
	rest  string // unread text
	state state
	// The fields of the current row are kept end to end in buf, with the
	// end of each in ends, and become one string per row.
	buf   []byte
	ends  []int
	start int // where the current field starts in buf
	chars int // characters in the current field
	row   []string
}

func newReader(text string, d dialect) *reader {
	return &reader{
		d: d.withTables(), rest: text,
		// Sized for a typical row, so a short text costs few allocations.
		buf: make([]byte, 0, min(len(text), 4096)), ends: make([]int, 0, 32), row: make([]string, 0, 32),
	}
}

// plainTables returns, for d, which bytes need no state change inside an
// unquoted and a quoted field. When a special character is not ASCII, no
// byte of a multi-byte character counts as plain and those go one by one.
func plainTables(d dialect) (field, quoted *[256]bool) {
	field, quoted = new([256]bool), new([256]bool)
	for c := range utf8.RuneSelf {
		field[c], quoted[c] = true, true
	}
	ascii := true
	for _, c := range []rune{d.delimiter, d.quote, d.escape} {
		ascii = ascii && c < utf8.RuneSelf
	}
	for c := utf8.RuneSelf; c < 256; c++ {
		field[c], quoted[c] = ascii, ascii
	}
	for _, c := range []rune{d.delimiter, d.escape, '\n', '\r'} {
		if 0 <= c && c < utf8.RuneSelf {
			field[c] = false
		}
	}
	for _, c := range []rune{d.quote, d.escape} {
		if 0 <= c && c < utf8.RuneSelf {
			quoted[c] = false
		}
	}
	return field, quoted
}

// next returns the next row, or ok == false at the end of the text. The
// returned slice is reused by the following call. After an error the
// reader must not be used again, as in Python, where an exception ends the
// iteration.
func (r *reader) next() (row []string, ok bool, err error) {
	r.state, r.buf, r.ends, r.start, r.chars = startRecord, r.buf[:0], r.ends[:0], 0, 0
	for {
		if r.rest == "" {
			// End of input inside a record: keep what there is.
			if len(r.buf) > r.start || r.state == inQuotedField {
				r.save()
				return r.fields(), true, nil
			}
			return nil, false, nil
		}
		line := r.rest
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			line = line[:i+1]
		}
		r.rest = r.rest[len(line):]
		if strings.IndexByte(line, 0) >= 0 {
			return nil, false, errNUL // Python 3.7, StreamAlert's runtime, refuses NUL
		}
		if err := r.feed(line); err != nil {
			return nil, false, err
		}
		if r.state == startRecord {
			return r.fields(), true, nil
		}
	}
}

// feed runs one line, then the end of line, through the state machine.
func (r *reader) feed(line string) error {
	for i := 0; i < len(line); {
		if n := r.plainRun(line[i:]); n > 0 {
			if err := r.addRun(line[i : i+n]); err != nil {
				return err
			}
			i += n
			continue
		}
		c, size := utf8.DecodeRuneInString(line[i:])
		if err := r.step(c); err != nil {
			return err
		}
		i += size
	}
	return r.step(eol)
}

// plainRun returns how many bytes at the start of s are ordinary text in
// the current state; only inside a field are there any.
func (r *reader) plainRun(s string) int {
	var plain *[256]bool
	switch r.state {
	case inField:
		plain = r.d.plainField
	case inQuotedField:
		plain = r.d.plainQuoted
	default:
		return 0
	}
	n := 0
	for n < len(s) && plain[s[n]] {
		n++
	}
	return n
}

func (r *reader) addRun(s string) error {
	if r.chars += utf8.RuneCountInString(s); r.chars > fieldLimit {
		return errLimit
	}
	r.buf = append(r.buf, s...)
	return nil
}

// fields returns the row read, one string for all its fields.
func (r *reader) fields() []string {
	all := string(r.buf)
	r.row = r.row[:0]
	start := 0
	for _, end := range r.ends {
		r.row = append(r.row, all[start:end])
		start = end
	}
	return r.row
}

func (r *reader) save() {
	r.ends = append(r.ends, len(r.buf))
	r.start, r.chars = len(r.buf), 0
}

func (r *reader) add(c rune) error {
	if r.chars >= fieldLimit {
		return errLimit
	}
	r.chars++
	r.buf = utf8.AppendRune(r.buf, c)
	return nil
}

func isNewline(c rune) bool { return c == '\n' || c == '\r' }

// endRecord saves the field and ends the record at c, a newline or eol.
func (r *reader) endRecord(c rune) {
	r.save()
	if c == eol {
		r.state = startRecord
	} else {
		r.state = eatCRNL
	}
}

// step feeds one character, or eol, to the state machine.
func (r *reader) step(c rune) error {
	d := r.d
	switch r.state {
	case startRecord:
		if c == eol {
			return nil
		}
		if isNewline(c) {
			r.state = eatCRNL
			return nil
		}
		r.state = startField
		return r.step(c)
	case startField:
		switch {
		case isNewline(c) || c == eol:
			r.endRecord(c)
		case c == d.quote:
			r.state = inQuotedField
		case c == d.escape:
			r.state = escapedChar
		case c == d.delimiter:
			r.save()
		default:
			r.state = inField
			return r.add(c)
		}
	case escapedChar:
		if isNewline(c) {
			r.state = afterEscapedCRNL
			return r.add(c)
		}
		if c == eol {
			c = '\n'
		}
		r.state = inField
		return r.add(c)
	case afterEscapedCRNL:
		if c == eol {
			return nil
		}
		r.state = inField
		return r.step(c)
	case inField:
		switch {
		case isNewline(c) || c == eol:
			r.endRecord(c)
		case c == d.escape:
			r.state = escapedChar
		case c == d.delimiter:
			r.save()
			r.state = startField
		default:
			return r.add(c)
		}
	case inQuotedField:
		switch {
		case c == eol:
		case c == d.escape:
			r.state = escapeInQuotedField
		case c == d.quote:
			r.state = quoteInQuotedField
		default:
			return r.add(c)
		}
	case escapeInQuotedField:
		if c == eol {
			c = '\n'
		}
		r.state = inQuotedField
		return r.add(c)
	case quoteInQuotedField:
		switch {
		case c == d.quote: // a doubled quote
			r.state = inQuotedField
			return r.add(c)
		case c == d.delimiter:
			r.save()
			r.state = startField
		case isNewline(c) || c == eol:
			r.endRecord(c)
		default: // not strict: text after a closing quote joins the field
			r.state = inField
			return r.add(c)
		}
	case eatCRNL:
		switch {
		case isNewline(c):
		case c == eol:
			r.state = startRecord
		default:
			return errNewline
		}
	}
	return nil
}
