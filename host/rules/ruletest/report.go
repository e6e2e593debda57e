package ruletest

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Report writes a run's outcome for people: one line per failing event
// with what differed, then coverage, then the counts. verbose also lists
// passing events.
func (s *Summary) Report(w io.Writer, verbose bool) {
	for _, err := range s.LoadErrors {
		fmt.Fprintf(w, "ERROR %v\n", err)
	}
	for i := range s.Results {
		r := &s.Results[i]
		if r.Passed() {
			if verbose {
				fmt.Fprintf(w, "PASS  %s  %s\n", r.Event.Name(), r.Event.Description)
			}
			continue
		}
		fmt.Fprintf(w, "FAIL  %s  %s\n", r.Event.Name(), r.Event.Description)
		for _, line := range r.diff() {
			fmt.Fprintf(w, "        %s\n", line)
		}
	}
	if len(s.Untested) > 0 {
		fmt.Fprintf(w, "rules no event fires: %s\n", strings.Join(s.Untested, ", "))
	}
	if len(s.NoNegative) > 0 {
		fmt.Fprintf(w, "rules no event of their log types leaves silent: %s\n", strings.Join(s.NoNegative, ", "))
	}
	fmt.Fprintf(w, "%d events, %d passed, %d failed\n", len(s.Results), len(s.Results)-s.Failed(), s.Failed())
}

// diff explains a failure.
func (r *Result) diff() []string {
	var out []string
	switch {
	case r.Err != nil:
		out = append(out, "error: "+r.Err.Error())
	case r.Classified != r.Event.Log:
		found := r.Classified
		if found == "" {
			found = "nothing"
		}
		out = append(out, fmt.Sprintf("classified as %s, want %s", found, r.Event.Log))
		for _, why := range r.Unclassified {
			out = append(out, "  "+why)
		}
	}
	if r.Err == nil && !r.Event.ClassifyOnly && !slices.Equal(r.Expected, r.Fired) {
		out = append(out, fmt.Sprintf("expected rules: %s", list(r.Expected)), fmt.Sprintf("fired rules:    %s", list(r.Fired)))
		if missing := minus(r.Expected, r.Fired); len(missing) > 0 {
			out = append(out, "did not fire: "+strings.Join(missing, ", "))
		}
		if extra := minus(r.Fired, r.Expected); len(extra) > 0 {
			out = append(out, "fired unexpectedly: "+strings.Join(extra, ", "))
		}
	}
	for _, e := range r.RuleErrors {
		out = append(out, fmt.Sprintf("rule %s failed (%s): %v", e.Rule, e.Stage, e.Err))
	}
	for _, f := range r.PublisherFailures {
		out = append(out, "publisher test: "+f)
	}
	return out
}

func list(names []string) string {
	if len(names) == 0 {
		return "(none)"
	}
	return strings.Join(names, ", ")
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
