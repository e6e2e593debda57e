package secrettest

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/sdk/schema"
)

// fakeT records failures instead of failing, so the helper's own failures
// can be tested. Methods it does not override panic if called.
type fakeT struct {
	testing.TB
	errs     []string
	cleanups []func()
}

func (f *fakeT) Helper()                   {}
func (f *fakeT) Cleanup(fn func())         { f.cleanups = append(f.cleanups, fn) }
func (f *fakeT) Errorf(s string, a ...any) { f.errs = append(f.errs, fmt.Sprintf(s, a...)) }

func (f *fakeT) finish() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

const secret = `xoxb-<7f3a>&"9c1e" 5b/token`

func TestAssertNoLeak(t *testing.T) {
	tests := []struct {
		name string
		text string
		leak bool
	}{
		{"clean", "post to slack: 500 Internal Server Error", false},
		{"masked", "token=<secret>", false},
		{"raw", "auth failed for " + secret + " (401)", true},
		{"Go-quoted", fmt.Sprintf("bad token %q", secret), true},
		{"JSON", `{"token":"xoxb-\u003c7f3a\u003e\u0026\"9c1e\" 5b/token"}`, true},
		{"JSON without HTML escapes", `{"token":"xoxb-<7f3a>&\"9c1e\" 5b/token"}`, true},
		{"query", "https://x.example/?t=" + url.QueryEscape(secret), true},
		{"path", "https://x.example/" + url.PathEscape(secret), true},
		{"base64", "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(secret)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeT{}
			AssertNoLeak(f, []string{"", "other-secret-value", secret}, "nothing here", tt.text)
			if got := len(f.errs) > 0; got != tt.leak {
				t.Fatalf("leak reported = %v, want %v (%q)", got, tt.leak, f.errs)
			}
			if tt.leak {
				msg := f.errs[0]
				if !strings.Contains(msg, "text 2 of 2") || !strings.Contains(msg, "secret #3") {
					t.Errorf("message does not say which text and secret: %s", msg)
				}
				if strings.Contains(msg, "7f3a") || strings.Contains(msg, "9c1e") {
					t.Errorf("the failure message itself leaks: %s", msg)
				}
			}
		})
	}
}

// TestExcerptMasksEverything checks that the failure message masks every
// secret near the leak, including ones cut by the excerpt's edges.
func TestExcerptMasksEverything(t *testing.T) {
	long := strings.Repeat("L0ngS3cr3t", 20)
	text := long + strings.Repeat(".", 50) + "short-secret-42" + strings.Repeat(".", 50) + long
	f := &fakeT{}
	AssertNoLeak(f, []string{"short-secret-42", long}, text)
	if len(f.errs) != 1 {
		t.Fatalf("got %d failures, want 1", len(f.errs))
	}
	if strings.Contains(f.errs[0], "L0ngS3") || strings.Contains(f.errs[0], "short-secret") {
		t.Fatalf("excerpt shows a secret: %s", f.errs[0])
	}
}

func TestWriterAndLogger(t *testing.T) {
	f := &fakeT{}
	w := NewWriter(f, []string{secret})
	fmt.Fprintf(w, "calling %s\n", "https://x.example")
	log := Logger(f, []string{secret})
	log.Debug("config", "token", schema.Secret(secret))
	f.finish()
	if len(f.errs) != 0 {
		t.Fatalf("clean output reported: %q", f.errs)
	}

	f = &fakeT{}
	w = NewWriter(f, []string{secret})
	fmt.Fprintf(w, "calling with %s\n", secret)
	Logger(f, []string{secret}).Debug("oops", "token", secret)
	f.finish()
	if len(f.errs) != 2 {
		t.Fatalf("got %d failures, want one per writer: %q", len(f.errs), f.errs)
	}
	if !strings.Contains(w.String(), "calling with") {
		t.Errorf("Writer.String = %q", w.String())
	}
}

func TestRender(t *testing.T) {
	type unsafe struct{ Token string }
	texts := Render(schema.Secret(secret), map[string]schema.Secret{"t": secret})
	f := &fakeT{}
	AssertNoLeak(f, []string{secret}, texts...)
	if len(f.errs) != 0 {
		t.Fatalf("masked values reported as leaks: %q", f.errs)
	}
	AssertNoLeak(f, []string{secret}, Render(unsafe{secret}, errors.New("bad: "+secret))...)
	if len(f.errs) == 0 {
		t.Fatal("plain string field not reported")
	}
	if v := Reveal(map[string]schema.Secret{"a": "x", "b": "y"}); len(v) != 2 {
		t.Fatalf("Reveal = %d values", len(v))
	}
}
