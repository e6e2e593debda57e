// Package secrettest checks, in any package's tests, that no secret value
// reaches an error, a log line or a payload: the promise of DESIGN.md §5
// that STYLE.md asks every output plugin to test, as alertmanager's
// notifier leak test does.
//
// A leak is rarely the raw value alone: it is quoted into an error, escaped
// into JSON, put in a URL or base64-encoded into a header. The checks look
// for each secret in those forms too. A failure never prints a secret; the
// excerpt shown has each one replaced by "<secret #N>", so a test run with
// real credentials does not leak them into CI logs either.
//
// The package imports only the standard library and sdk/schema, so it can
// move into the SDK for plugin authors as it is.
package secrettest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/streamalert-go/sa/sdk/schema"
)

// AssertNoLeak fails t once for every text that contains any of secrets
// in any of the forms above. Empty secrets are ignored; very short ones
// match by accident, so tests should use long, distinctive values.
func AssertNoLeak(t testing.TB, secrets []string, texts ...string) {
	t.Helper()
	forms := formsOf(secrets)
	for i, text := range texts {
		if f, at, ok := find(forms, text); ok {
			t.Errorf("secrettest: text %d of %d leaks secret #%d (%s) at byte %d: %s",
				i+1, len(texts), f.secret+1, f.kind, at, excerpt(forms, text, at))
		}
	}
}

// Reveal returns the values of a credential map, for AssertNoLeak.
func Reveal(m map[string]schema.Secret) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v.Reveal())
	}
	return out
}

// Render returns the ways a value usually becomes text, to check them all:
// the %v, %+v, %#v, %s and %q verbs of fmt, JSON, and slog's text and JSON
// handlers. A value that cannot marshal contributes its error instead.
func Render(vs ...any) []string {
	var out []string
	for _, v := range vs {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			out = append(out, fmt.Sprintf(verb, v))
		}
		if b, err := json.Marshal(v); err != nil {
			out = append(out, err.Error())
		} else {
			out = append(out, string(b))
		}
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("render", "v", v)
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("render", "v", v)
		out = append(out, buf.String())
	}
	return out
}

// Writer captures what is written to it, a log or a request body, and
// checks it for secrets when the test ends. It is safe for concurrent use.
type Writer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// NewWriter returns a Writer whose whole content is checked against
// secrets when t and its subtests finish.
func NewWriter(t testing.TB, secrets []string) *Writer {
	w := &Writer{}
	t.Cleanup(func() {
		t.Helper()
		AssertNoLeak(t, secrets, w.String())
	})
	return w
}

// Logger returns a JSON slog.Logger, at debug level so nothing escapes the
// check, writing to a NewWriter.
func Logger(t testing.TB, secrets []string) *slog.Logger {
	h := slog.NewJSONHandler(NewWriter(t, secrets), &slog.HandlerOptions{Level: slog.LevelDebug})
	return slog.New(h)
}

// Write implements io.Writer.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// String returns everything written so far.
func (w *Writer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// form is one way a secret may appear in text.
type form struct {
	text   string
	secret int
	kind   string
}

// formsOf lists each secret's distinct forms, longest first, so that a
// form containing another is the one found and masked.
func formsOf(secrets []string) []form {
	var forms []form
	for i, s := range secrets {
		if s == "" {
			continue
		}
		seen := map[string]bool{}
		add := func(kind, text string) {
			if text != "" && !seen[text] {
				seen[text] = true
				forms = append(forms, form{text, i, kind})
			}
		}
		add("raw", s)
		add("Go-quoted", unquote(strconv.Quote(s)))
		add("JSON-escaped", unquote(jsonString(s, true)))
		add("JSON-escaped", unquote(jsonString(s, false)))
		add("URL-escaped", url.QueryEscape(s))
		add("URL-path-escaped", url.PathEscape(s))
		add("base64", base64.StdEncoding.EncodeToString([]byte(s)))
		add("base64", base64.RawStdEncoding.EncodeToString([]byte(s)))
		add("base64url", base64.RawURLEncoding.EncodeToString([]byte(s)))
	}
	sort.SliceStable(forms, func(a, b int) bool { return len(forms[a].text) > len(forms[b].text) })
	return forms
}

func jsonString(s string, escapeHTML bool) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(buf.String(), "\n")
}

func unquote(q string) string { return q[1 : len(q)-1] }

// find returns the form found earliest in text.
func find(forms []form, text string) (form, int, bool) {
	best, at := form{}, -1
	for _, f := range forms {
		if i := strings.Index(text, f.text); i >= 0 && (at < 0 || i < at) {
			best, at = f, i
		}
	}
	return best, at, at >= 0
}

// excerpt shows text around byte at with every form of every secret
// masked, so the failure message is itself leak-free.
func excerpt(forms []form, text string, at int) string {
	const span = 60
	from, to := max(at-span, 0), min(at+span, len(text))
	// Widen to whole forms at both edges, until no form straddles one, so
	// masking never leaves part of a secret showing.
	for widened := true; widened; {
		widened = false
		for _, f := range forms {
			for i := 0; ; {
				j := strings.Index(text[i:], f.text)
				if j < 0 {
					break
				}
				start, end := i+j, i+j+len(f.text)
				if start < to && end > from && (start < from || end > to) {
					from, to, widened = min(from, start), max(to, end), true
				}
				i = start + 1
			}
		}
	}
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f.text, fmt.Sprintf("<secret #%d>", f.secret+1))
	}
	return strconv.Quote(strings.NewReplacer(pairs...).Replace(text[from:to]))
}
