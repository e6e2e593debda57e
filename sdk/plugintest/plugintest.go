// Package plugintest is sa's plugin conformance harness. It checks that a
// plugin speaks protocol sa.plugin.v1 the way the host relies on: the
// go-plugin handshake and cookie, version negotiation, mTLS, the health and
// shutdown services, a well-formed Describe and schema, field-precise
// configuration problems that never quote secrets, per-instance
// configuration, and the calls of its kind.
//
// Binary runs the checks against any plugin executable, in any language;
// `sa plugin test` is a front end to it. InProcess and Test run them against
// a Go implementation inside a test binary.
package plugintest

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// Check is the outcome of one conformance check.
type Check struct {
	Name string
	// Err is nil when the check passed.
	Err error
	// Skipped says why the check did not apply, when it did not.
	Skipped string
}

// Report collects the checks run against one plugin.
type Report struct {
	// Plugin is the plugin's address once Describe answered ("output.slack").
	Plugin  string
	Version string
	Checks  []Check
}

// Failed reports whether any check failed.
func (r *Report) Failed() bool {
	for _, c := range r.Checks {
		if c.Err != nil {
			return true
		}
	}
	return false
}

// Err joins the failed checks into one error, or returns nil.
func (r *Report) Err() error {
	var errs []error
	for _, c := range r.Checks {
		if c.Err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.Name, c.Err))
		}
	}
	return errors.Join(errs...)
}

// Print writes the report as one line per check.
func (r *Report) Print(w io.Writer) {
	name := r.Plugin
	if name == "" {
		name = "plugin"
	}
	fmt.Fprintf(w, "%s %s\n", name, r.Version)
	pass, fail, skip := 0, 0, 0
	for _, c := range r.Checks {
		switch {
		case c.Err != nil:
			fail++
			fmt.Fprintf(w, "  FAIL  %s: %v\n", c.Name, indent(c.Err.Error()))
		case c.Skipped != "":
			skip++
			fmt.Fprintf(w, "  SKIP  %s: %s\n", c.Name, c.Skipped)
		default:
			pass++
			fmt.Fprintf(w, "  ok    %s\n", c.Name)
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed, %d skipped\n", pass, fail, skip)
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n        ") }

func (r *Report) add(name string, err error) bool {
	r.Checks = append(r.Checks, Check{Name: name, Err: err})
	return err == nil
}

func (r *Report) skip(name, why string) {
	r.Checks = append(r.Checks, Check{Name: name, Skipped: why})
}

// reportTo fails t once per failed check.
func reportTo(t testing.TB, r *Report) {
	t.Helper()
	for _, c := range r.Checks {
		if c.Err != nil {
			t.Errorf("conformance: %s: %v", c.Name, c.Err)
		}
	}
}
