package parsekit

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"unicode/utf8"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// MaxErrLen bounds a per-record error message. Messages name positions and
// kinds rather than quoting the record, and the bound keeps it that way for
// anything quoted by accident (a panic value, a library's message).
const MaxErrLen = 300

// Out collects what a parser gets out of one raw record.
type Out struct {
	// Envelope is the record's envelope object, or nil.
	Envelope []byte
	elems    []elem
	rejected int
}

type elem struct {
	record []byte
	reason string
}

// Add adds a candidate record, a JSON object.
func (o *Out) Add(record []byte) { o.elems = append(o.elems, elem{record: record}) }

// Reject records an extracted element that could not become a record, with
// the reason; the reason should say which element ("row 2: ...").
func (o *Out) Reject(reason string) {
	o.elems = append(o.elems, elem{reason: reason})
	o.rejected++
}

// Len returns how many elements were added or rejected so far.
func (o *Out) Len() int { return len(o.elems) }

// Func parses one raw record into out. An error means nothing usable came
// out of the record; it should name the problem, never quote the record.
type Func func(raw []byte, out *Out) error

// Run applies parse to each record and assembles the results. A panic in
// parse is recovered and reported as that record's error, so one hostile
// record cannot take the batch, or the plugin, down. Run stops early only
// when ctx is done.
func Run(ctx context.Context, records [][]byte, parse Func) ([]saplugin.ParseResult, error) {
	results := make([]saplugin.ParseResult, len(records))
	var out Out
	for i, raw := range records {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out = Out{elems: out.elems[:0]} // result copies what it keeps
		err := protect(parse, raw, &out)
		results[i] = result(&out, err)
	}
	return results, nil
}

func protect(parse Func, raw []byte, out *Out) (err error) {
	defer func() {
		if p := recover(); p != nil {
			// The stack is for the plugin's log only; the host sees a short
			// message.
			saplugin.Logger().Error("parser panic", "panic", clip(fmt.Sprint(p)), "stack", string(debug.Stack()))
			err = fmt.Errorf("internal error: parser panicked: %v", p)
		}
	}()
	return parse(raw, out)
}

func result(out *Out, err error) saplugin.ParseResult {
	switch {
	case err != nil:
		return saplugin.ParseResult{Err: clip(err.Error())}
	case len(out.elems) == 0:
		return saplugin.ParseResult{Err: "no records in input"}
	case out.rejected == len(out.elems):
		return saplugin.ParseResult{Err: clip(allRejected(out))}
	}
	cands := make([]saplugin.Candidate, len(out.elems))
	for i, e := range out.elems {
		if e.record != nil {
			cands[i] = saplugin.Candidate{Record: e.record, Envelope: out.Envelope}
		} else {
			cands[i] = saplugin.Candidate{Err: clip(e.reason)}
		}
	}
	return saplugin.ParseResult{Candidates: cands}
}

func allRejected(out *Out) string {
	first := out.elems[0].reason
	if len(out.elems) == 1 {
		return first
	}
	return fmt.Sprintf("all %d extracted records rejected; first: %s", len(out.elems), first)
}

// clip shortens s to MaxErrLen bytes at a rune boundary.
func clip(s string) string {
	if len(s) <= MaxErrLen {
		return s
	}
	s = s[:MaxErrLen]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return strings.TrimSpace(s) + "…"
}
