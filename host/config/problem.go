package config

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Severity says whether a problem stops the load.
type Severity uint8

const (
	// SeverityError problems make Load fail.
	SeverityError Severity = iota
	// SeverityWarning problems are settings StreamAlert accepts but that cannot do
	// what they appear to (a log pattern on a key the record never has at
	// that level, for instance). They are kept in Config.Warnings and do
	// not stop the load, because the conf must load as it is.
	SeverityWarning
)

// Problem is one thing wrong in a conf directory, located as precisely as
// the loader can: file, line and column, and the JSON key path inside the
// file (log type names and keys joined by dots, indexes in brackets, keys
// that contain dots quoted: data_sources.s3["my.bucket"]).
type Problem struct {
	File     string // relative to the conf directory, slash-separated
	Line     int    // 1-based; 0 when the problem concerns the whole file
	Column   int    // 1-based byte column; 0 when Line is 0
	Path     string // JSON key path; "" for the whole file
	Message  string
	Severity Severity
}

// String renders the problem as file:line:col: path: message, the form
// editors and terminals link to.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", p.Line, p.Column)
	}
	b.WriteString(": ")
	if p.Severity == SeverityWarning {
		b.WriteString("warning: ")
	}
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in one load. Load returns it as its error
// (use errors.As) so a user fixes a conf directory in one pass instead of
// one error per run.
type Problems []Problem

// Error lists the problems one per line, sorted by file and position.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// HasErrors reports whether any problem has Error severity.
func (ps Problems) HasErrors() bool {
	return slices.ContainsFunc(ps, func(p Problem) bool { return p.Severity == SeverityError })
}

func (ps Problems) sort() {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column), cmp.Compare(a.Path, b.Path))
	})
}

// jpath is a JSON key path as shown in problems.
type jpath string

// key appends an object key, quoting it when it would be ambiguous or
// unreadable.
func (p jpath) key(k string) jpath {
	if needsQuote(k) {
		return p + jpath("["+strconv.Quote(k)+"]")
	}
	if p == "" {
		return jpath(k)
	}
	return p + "." + jpath(k)
}

func needsQuote(k string) bool {
	if k == "" {
		return true
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`."[]\`, c) >= 0 {
			return true
		}
	}
	return false
}

// index appends an array index.
func (p jpath) index(i int) jpath { return p + jpath("["+strconv.Itoa(i)+"]") }

// lineCol converts a byte offset of data into a 1-based line and column.
func lineCol(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	line = 1 + strings.Count(string(data[:off]), "\n")
	start := strings.LastIndexByte(string(data[:off]), '\n') + 1
	return line, off - start + 1
}
