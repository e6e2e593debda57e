package appkit

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode"

	"github.com/streamalert-go/sa/sdk/schema"
)

// ErrOutOfBudget reports that a poll stopped because its budget is spent,
// or the vendor asked for a pause longer than what is left of it. Gather
// turns it into a clean end with More set.
var ErrOutOfBudget = errors.New("poll budget spent")

// maxQuoted is how much of a vendor's error body a message quotes.
const maxQuoted = 512

// minMasked is the shortest secret masked; shorter values are not
// credentials anyone issues, and masking them would garble messages.
const minMasked = 6

// HTTPError is a vendor's refusal: a status outside 2xx after retries.
// Error quotes the vendor's error text with the instance's secrets masked.
type HTTPError struct {
	Method string
	// Path is the request path, without the query.
	Path   string
	Status int
	// Text is the vendor's error message, redacted.
	Text   string
	Header http.Header
	body   []byte
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("%s %s: HTTP %d", e.Method, e.Path, e.Status)
	if e.Text != "" {
		msg += ": " + e.Text
	}
	return msg
}

// Body returns the raw error body, for a plugin that reads a vendor error
// code from it. It is not redacted: never log or return it.
func (e *HTTPError) Body() []byte { return e.body }

// StatusOf returns the HTTP status of an *HTTPError in err's chain, or 0.
func StatusOf(err error) int {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status
	}
	return 0
}

// Quote renders up to 512 bytes of b as one printable line, marking a cut
// with "...".
func Quote(b []byte) string {
	cut := len(b) > maxQuoted
	if cut {
		b = b[:maxQuoted]
	}
	s := strings.ToValidUTF8(string(b), "")
	s = strings.TrimSpace(strings.Join(strings.FieldsFunc(s, unicode.IsControl), " "))
	if cut {
		s += "..."
	}
	return s
}

// NewRedactor returns a function masking each secret of at least six bytes
// with schema.Masked, longest first so a secret containing another is
// masked whole, together with its JSON- and URL-escaped forms.
func NewRedactor(secrets ...string) func(string) string {
	seen := map[string]bool{}
	var keep []string
	for _, s := range secrets {
		for _, v := range escapedForms(s) {
			if len(v) >= minMasked && !seen[v] {
				seen[v] = true
				keep = append(keep, v)
			}
		}
	}
	slices.SortFunc(keep, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(keep))
	for _, v := range keep {
		pairs = append(pairs, v, schema.Masked)
	}
	return strings.NewReplacer(pairs...).Replace
}
