package httpout

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Response body limits: how much is quoted in a message, how much is kept
// for classification and decoding (vendors' JSON answers), and how much
// more is read so the connection can be reused.
const (
	MaxQuoted      = 512
	maxKeptBody    = 1 << 20
	maxDrainedBody = 64 << 10
)

// Response is what a classifier sees of a vendor's answer.
type Response struct {
	Code   int
	Header http.Header
	// Body is the first MiB of the response body.
	Body []byte
}

// Classifier maps a response to a delivery outcome. It need not set
// RetryAfter or redact its message: Sender.Do does both.
type Classifier func(*Response) saplugin.SendResult

// Sender sends one instance's requests.
type Sender struct {
	Client *http.Client
	// Redact masks the instance's secrets in any text sent back.
	Redact func(string) string
	// MaxRetryAfter caps a wait asked for by the vendor.
	MaxRetryAfter time.Duration
	// Now is the clock Retry-After dates are read against.
	Now func() time.Time
}

// Do sends req, classifies the answer with classify (Classify when nil),
// fills in RetryAfter for a retryable outcome without one, and redacts the
// message. A failed round trip is retryable: the vendor may be back soon.
func (s *Sender) Do(req *http.Request, classify Classifier) saplugin.SendResult {
	_, res := s.Exchange(req, classify)
	return res
}

// Exchange is Do that also returns the response, for a caller that decodes
// the answer of a delivered request. The response is nil when the round
// trip failed.
func (s *Sender) Exchange(req *http.Request, classify Classifier) (*Response, saplugin.SendResult) {
	if classify == nil {
		classify = Classify
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return nil, saplugin.SendResult{Status: saplugin.Retryable, Message: s.Redact(transportMessage(req.Method, err))}
	}
	defer resp.Body.Close()
	// A body cut short is classified as far as it came: the status line
	// decides, and a caller decoding a truncated JSON answer sees it fail.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxKeptBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrainedBody))
	r := &Response{Code: resp.StatusCode, Header: resp.Header, Body: body}
	res := classify(r)
	if res.Status == saplugin.Retryable && res.RetryAfter == 0 {
		res.RetryAfter = RetryAfter(resp.Header.Get("Retry-After"), s.Now(), s.MaxRetryAfter)
	}
	res.RetryAfter = min(res.RetryAfter, s.MaxRetryAfter)
	res.Message = s.Redact(res.Message)
	return r, res
}

// Close releases the idle connections of the client.
func (s *Sender) Close() { s.Client.CloseIdleConnections() }

// Classify is the generic mapping: 2xx delivered; 408, 425, 429 and 5xx
// retryable; 3xx (never followed) and other 4xx permanent. Failures quote
// the body as the vendor's error text.
func Classify(r *Response) saplugin.SendResult {
	return ClassifyText(r.Code, Quote(r.Body))
}

// ClassifyText is Classify with the error text already extracted.
func ClassifyText(code int, text string) saplugin.SendResult {
	msg := fmt.Sprintf("HTTP %d", code)
	if text != "" {
		msg += ": " + text
	}
	switch {
	case code >= 200 && code < 300:
		return saplugin.SendResult{Status: saplugin.Delivered, Message: fmt.Sprintf("HTTP %d", code)}
	case code == http.StatusTooManyRequests, code == http.StatusRequestTimeout,
		code == http.StatusTooEarly, code >= 500:
		return saplugin.SendResult{Status: saplugin.Retryable, Message: msg}
	case code >= 300 && code < 400:
		return saplugin.SendResult{Status: saplugin.Permanent,
			Message: fmt.Sprintf("HTTP %d: the endpoint redirects; redirects are not followed, configure its final URL", code)}
	}
	return saplugin.SendResult{Status: saplugin.Permanent, Message: msg}
}

// transportMessage describes a failed round trip. *url.Error quotes the
// whole URL, which may hold a token, so only the method and cause are kept.
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

// Quote renders up to MaxQuoted bytes of b as one printable line, marking
// a cut with "...".
func Quote(b []byte) string {
	cut := len(b) > MaxQuoted
	if cut {
		b = b[:MaxQuoted]
	}
	s := strings.ToValidUTF8(string(b), "")
	s = strings.Join(strings.FieldsFunc(s, unicode.IsControl), " ")
	s = strings.TrimSpace(s)
	if cut {
		s += "..."
	}
	return s
}

// RetryAfter parses a Retry-After value (delay-seconds or an HTTP-date, RFC
// 9110 section 10.2.3) into a wait between zero and limit. Unparsable
// values count as absent.
func RetryAfter(v string, now time.Time, limit time.Duration) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if strings.Trim(v, "0123456789") == "" {
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
	return Until(at, now, limit)
}

// Until is the wait from now to at, rounded up to whole seconds, between
// zero and limit.
func Until(at, now time.Time, limit time.Duration) time.Duration {
	d := (at.Sub(now) + time.Second - 1).Truncate(time.Second)
	return max(0, min(d, limit))
}
