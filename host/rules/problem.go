package rules

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity says whether a problem stops a load.
type Severity uint8

const (
	// SeverityError problems make Load fail.
	SeverityError Severity = iota
	// SeverityWarning problems are settings that load but probably do not
	// do what the author meant (a datatype no schema produces, say).
	SeverityWarning
)

// Problem is one thing wrong with a rule or matcher file.
type Problem struct {
	File     string // as given to the loader
	Line     int    // 1-based; 0 for the whole file
	Column   int    // 1-based; 0 when unknown
	Rule     string // the rule or matcher concerned, "" when none
	Message  string
	Severity Severity
}

// String renders the problem as file:line:col: rule: message, the form
// editors and terminals link to.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	b.WriteString(": ")
	if p.Severity == SeverityWarning {
		b.WriteString("warning: ")
	}
	if p.Rule != "" {
		b.WriteString(p.Rule + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in one load. Load returns it as its
// error (use errors.As), so an author fixes a rule pack in one pass.
type Problems []Problem

// Error lists the problems one per line, in file and line order.
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
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}

// pos is a place in a file.
type pos struct {
	file      string
	line, col int
}

// problems collects a load's problems.
type problems struct{ list Problems }

func (ps *problems) errorf(at pos, rule, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: at.file, Line: at.line, Column: at.col, Rule: rule,
		Message: fmt.Sprintf(format, args...)})
}

func (ps *problems) warnf(at pos, rule, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: at.file, Line: at.line, Column: at.col, Rule: rule,
		Message: fmt.Sprintf(format, args...), Severity: SeverityWarning})
}
