// Package vendorhttp is the HTTP side the vendor output plugins (pagerduty,
// pagerduty-v2, pagerduty-incident, demisto, phantom) share: the transport
// properties of their schemas, a client that always verifies TLS and never
// follows redirects, result classification honouring Retry-After, and
// redaction of credentials in messages.
package vendorhttp

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Names of the Transport properties every instance has.
const (
	PropTimeout       = "timeout_seconds"
	PropMaxRetryAfter = "max_retry_after_seconds"
	PropCAFile        = "ca_file"
)

// Bounds and limits of the transport.
const (
	maxTimeoutSeconds    = 300
	maxRetryAfterCeiling = 86400
	maxConnectTimeout    = 10 * time.Second
	idleConnTimeout      = 90 * time.Second
	maxIdlePerHost       = 8
	maxResponseHeader    = 64 << 10
	// maxQuotedBody is how much of a Response body a message quotes;
	// maxReadBody is how much is read at all (JSON answers are decoded).
	maxQuotedBody = 512
	maxReadBody   = 1 << 20
	// minMasked is the shortest secret masked; shorter ones would garble
	// messages and are not credentials anyone issues.
	minMasked = 8
)

// TransportProperties are the schema entries of transport.
var TransportProperties = []schema.Property{
	{
		Name:        PropTimeout,
		Type:        schema.Integer,
		Description: "Seconds one HTTP request may take, connection to Response (1-300).",
		Default:     "10",
	},
	{
		Name:        PropMaxRetryAfter,
		Type:        schema.Integer,
		Description: "Longest wait in seconds honoured from a Retry-After Response header (0-86400).",
		Default:     "900",
	},
	{
		Name: PropCAFile,
		Description: "Path to a PEM bundle of CA certificates trusted in addition to the system roots, " +
			"for a server behind a private CA. TLS is always verified.",
		Example: "/etc/sa/ca.pem",
	},
}

// Transport is the HTTP side of an instance configuration.
type Transport struct {
	Timeout       time.Duration
	MaxRetryAfter time.Duration
	CAFile        string
}

// ParseTransport reads the Transport properties of cfg.
func ParseTransport(cfg schema.Config) (Transport, []schema.Problem) {
	var problems []schema.Problem
	tr := Transport{CAFile: cfg.String(PropCAFile)}
	if n := cfg.Int(PropTimeout); n < 1 || n > maxTimeoutSeconds {
		problems = append(problems, schema.Problem{Field: PropTimeout, Message: fmt.Sprintf("must be between 1 and %d", maxTimeoutSeconds)})
	} else {
		tr.Timeout = time.Duration(n) * time.Second
	}
	if n := cfg.Int(PropMaxRetryAfter); n < 0 || n > maxRetryAfterCeiling {
		problems = append(problems, schema.Problem{Field: PropMaxRetryAfter, Message: fmt.Sprintf("must be between 0 and %d", maxRetryAfterCeiling)})
	} else {
		tr.MaxRetryAfter = time.Duration(n) * time.Second
	}
	if len(problems) == 0 {
		if _, err := rootCAs(tr.CAFile); err != nil {
			problems = append(problems, schema.Problem{Field: PropCAFile, Message: err.Error()})
		}
	}
	return tr, problems
}

// ParseHTTPSURL checks a base URL property: absolute, https, no query or
// fragment. Messages never quote the value.
func ParseHTTPSURL(field, raw string) (*url.URL, []schema.Problem) {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return nil, []schema.Problem{{Field: field, Message: "is not a valid absolute URL"}}
	case u.Scheme != "https":
		return nil, []schema.Problem{{Field: field, Message: "scheme must be https"}}
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, []schema.Problem{{Field: field, Message: "may not carry credentials, a query or a fragment"}}
	}
	return u, nil
}

// NewClient builds an instance's HTTP client. TLS is verified on every
// request against the system roots plus the CA file (StreamAlert's
// PagerDuty clients stopped verifying after the first request; Demisto
// and Phantom never verified).
func NewClient(tr Transport) (*http.Client, error) {
	roots, err := rootCAs(tr.CAFile)
	if err != nil {
		return nil, err
	}
	connect := min(tr.Timeout, maxConnectTimeout)
	t := &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            (&net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots},
		TLSHandshakeTimeout:    connect,
		ResponseHeaderTimeout:  tr.Timeout,
		ExpectContinueTimeout:  time.Second,
		IdleConnTimeout:        idleConnTimeout,
		MaxIdleConnsPerHost:    maxIdlePerHost,
		MaxResponseHeaderBytes: maxResponseHeader,
		ForceAttemptHTTP2:      true,
	}
	return &http.Client{Transport: t, Timeout: tr.Timeout, CheckRedirect: refuseRedirect}, nil
}

// refuseRedirect hands a 3xx back instead of following it: a redirect
// would replay credentials to a host nobody configured, or turn a POST
// into a body-less GET.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// rootCAs returns nil (the system roots) without a CA file, else the system
// roots plus the file's certificates.
func rootCAs(caFile string) (*x509.CertPool, error) {
	if caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("read CA bundle: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA bundle %s holds no PEM certificate", caFile)
	}
	return pool, nil
}

// Response is a completed HTTP exchange.
type Response struct {
	Code   int
	Header http.Header
	Body   []byte
}

// RoundTrip sends req and reads up to maxReadBody of the answer. A failure
// is returned as a retryable result whose message names only the method
// and cause: *url.Error quotes the URL.
func RoundTrip(c *http.Client, req *http.Request) (Response, *saplugin.SendResult) {
	resp, err := c.Do(req)
	if err != nil {
		return Response{}, &saplugin.SendResult{Status: saplugin.Retryable, Message: transportMessage(req.Method, err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReadBody))
	if err != nil {
		return Response{}, &saplugin.SendResult{Status: saplugin.Retryable,
			Message: transportMessage(req.Method, fmt.Errorf("read response: %w", err))}
	}
	return Response{Code: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// transportMessage describes a failed round trip without its URL.
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

// Classify maps a Response to a delivery outcome: 2xx delivered; 408, 425,
// 429 and 5xx retryable, honouring Retry-After up to limit; the rest
// permanent. Messages quote the vendor's answer.
func Classify(r Response, now time.Time, limit time.Duration) saplugin.SendResult {
	msg := fmt.Sprintf("HTTP %d", r.Code)
	if q := Quote(r.Body); q != "" {
		msg += ": " + q
	}
	switch {
	case r.Code >= 200 && r.Code < 300:
		return saplugin.SendResult{Status: saplugin.Delivered, Message: fmt.Sprintf("HTTP %d", r.Code)}
	case r.Code == http.StatusTooManyRequests, r.Code == http.StatusRequestTimeout,
		r.Code == http.StatusTooEarly, r.Code >= 500:
		return saplugin.SendResult{Status: saplugin.Retryable, Message: msg,
			RetryAfter: RetryAfter(r.Header.Get("Retry-After"), now, limit)}
	case r.Code >= 300 && r.Code < 400:
		return saplugin.SendResult{Status: saplugin.Permanent,
			Message: fmt.Sprintf("HTTP %d: the server redirects; redirects are not followed, configure its final URL", r.Code)}
	}
	return saplugin.SendResult{Status: saplugin.Permanent, Message: msg}
}

// Quote renders up to maxQuotedBody bytes of a body as one printable line,
// marking a cut with "...".
func Quote(b []byte) string {
	cut := len(b) > maxQuotedBody
	if cut {
		b = b[:maxQuotedBody]
	}
	s := strings.ToValidUTF8(string(b), "")
	s = strings.TrimSpace(strings.Join(strings.FieldsFunc(s, unicode.IsControl), " "))
	if cut {
		s += "..."
	}
	return s
}

// RetryAfter parses a Retry-After value (delay-seconds or an HTTP-date)
// into a wait between zero and limit; unparsable values count as absent.
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
	d := (at.Sub(now) + time.Second - 1).Truncate(time.Second)
	return max(0, min(d, limit))
}

// NewRedactor returns a function masking each secret of at least minMasked
// bytes, and its URL-escaped form, longest first.
func NewRedactor(secrets ...string) func(string) string {
	seen := map[string]bool{}
	var keep []string
	for _, s := range secrets {
		for _, v := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
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
