package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Response body limits: how much is quoted in a message, and how much is
// read past that so the connection can be reused.
const (
	maxQuotedBody  = 512
	maxDrainedBody = 64 << 10
)

// do sends req and classifies the outcome.
func (t *target) do(req *http.Request, now func() time.Time) saplugin.SendResult {
	resp, err := t.client.Do(req)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Retryable, Message: t.redact(transportMessage(req.Method, err))}
	}
	defer resp.Body.Close()
	quoted := readQuoted(resp.Body)
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrainedBody))
	res := classify(resp.StatusCode, quoted)
	if res.Status == saplugin.Retryable {
		res.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), now(), t.maxRetryAfter)
	}
	res.Message = t.redact(res.Message)
	return res
}

// classify maps an HTTP status to a delivery outcome.
func classify(code int, body string) saplugin.SendResult {
	msg := fmt.Sprintf("HTTP %d", code)
	if body != "" {
		msg += ": " + body
	}
	switch {
	case code >= 200 && code < 300:
		return saplugin.SendResult{Status: saplugin.Delivered, Message: fmt.Sprintf("HTTP %d", code)}
	case code == http.StatusTooManyRequests, code == http.StatusRequestTimeout,
		code == http.StatusTooEarly, code >= 500:
		return saplugin.SendResult{Status: saplugin.Retryable, Message: msg}
	case code >= 300 && code < 400:
		return saplugin.SendResult{Status: saplugin.Permanent,
			Message: fmt.Sprintf("HTTP %d: the receiver redirects; redirects are not followed, configure its final URL", code)}
	}
	return saplugin.SendResult{Status: saplugin.Permanent, Message: msg}
}

// transportMessage describes a failed round trip. *url.Error quotes the
// whole URL, which is a secret, so only the method and its cause are kept.
func transportMessage(method string, err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Sprintf("%s: timed out: %s", method, ue.Err.Error())
		}
		return fmt.Sprintf("%s: %s", method, ue.Err.Error())
	}
	return fmt.Sprintf("%s: %s", method, err.Error())
}

// readQuoted reads up to maxQuotedBody bytes of a response body as one
// printable line, marking a cut with "...".
func readQuoted(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, maxQuotedBody+1))
	cut := len(b) > maxQuotedBody
	if cut {
		b = b[:maxQuotedBody]
	}
	s := strings.ToValidUTF8(string(b), "")
	s = strings.Join(strings.FieldsFunc(s, unicode.IsControl), " ")
	s = strings.TrimSpace(s)
	if cut {
		s += "..."
	}
	return s
}

// retryAfter parses a Retry-After value (delay-seconds or an HTTP-date, RFC
// 9110 section 10.2.3) into a wait between zero and limit. Unparsable
// values count as absent.
func retryAfter(v string, now time.Time, limit time.Duration) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if strings.Trim(v, "0123456789") == "" {
		// delay-seconds; too many digits for uint64 is still "very long".
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n >= uint64(limit/time.Second) {
			return limit
		}
		return time.Duration(n) * time.Second
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	d := (at.Sub(now) + time.Second - 1).Truncate(time.Second)
	return max(0, min(d, limit))
}

// newRedactor masks the parts of the URL that may be tokens, and the
// signing secret, in any text before it leaves the plugin: a receiver's
// error page may quote the request path back.
func newRedactor(s settings) func(string) string {
	var secrets []string
	if s.url != nil {
		secrets = append(secrets, s.url.String(), s.url.Redacted(), s.url.EscapedPath(), s.url.Path, s.url.RawQuery)
		for _, seg := range strings.Split(s.url.Path, "/") {
			secrets = append(secrets, seg)
		}
		for _, vals := range s.url.Query() {
			secrets = append(secrets, vals...)
		}
		if p, ok := s.url.User.Password(); ok {
			secrets = append(secrets, p)
		}
	}
	secrets = append(secrets, s.signingSecret.Reveal())
	return newReplacer(secrets)
}

// minMasked is the shortest value masked; shorter path segments ("v1",
// "api") are not tokens and masking them would garble messages.
const minMasked = 8

// newReplacer returns a function replacing each value of at least
// minMasked bytes with schema.Masked, longest first so a value containing
// another is masked whole.
func newReplacer(values []string) func(string) string {
	seen := map[string]bool{}
	var keep []string
	for _, v := range values {
		if len(v) >= minMasked && !seen[v] {
			seen[v] = true
			keep = append(keep, v)
		}
	}
	slices.SortFunc(keep, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(keep))
	for _, v := range keep {
		pairs = append(pairs, v, schema.Masked)
	}
	r := strings.NewReplacer(pairs...)
	return r.Replace
}
