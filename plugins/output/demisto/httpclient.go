package main

// This file is shared, word for word, by the PagerDuty, Demisto and Phantom
// output plugins until a common HTTP helper package exists: transport
// settings, the HTTP client, outcome classification and redaction.

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

// Names of the transport properties every instance has.
const (
	propTimeout       = "timeout_seconds"
	propMaxRetryAfter = "max_retry_after_seconds"
	propCAFile        = "ca_file"
)

// Bounds and limits of the transport.
const (
	maxTimeoutSeconds    = 300
	maxRetryAfterCeiling = 86400
	maxConnectTimeout    = 10 * time.Second
	idleConnTimeout      = 90 * time.Second
	maxIdlePerHost       = 8
	maxResponseHeader    = 64 << 10
	// maxQuotedBody is how much of a response body a message quotes;
	// maxReadBody is how much is read at all (JSON answers are decoded).
	maxQuotedBody = 512
	maxReadBody   = 1 << 20
	// minMasked is the shortest secret masked; shorter ones would garble
	// messages and are not credentials anyone issues.
	minMasked = 8
)

// transportProperties are the schema entries of transport.
var transportProperties = []schema.Property{
	{
		Name:        propTimeout,
		Type:        schema.Integer,
		Description: "Seconds one HTTP request may take, connection to response (1-300).",
		Default:     "10",
	},
	{
		Name:        propMaxRetryAfter,
		Type:        schema.Integer,
		Description: "Longest wait in seconds honoured from a Retry-After response header (0-86400).",
		Default:     "900",
	},
	{
		Name: propCAFile,
		Description: "Path to a PEM bundle of CA certificates trusted in addition to the system roots, " +
			"for a server behind a private CA. TLS is always verified.",
		Example: "/etc/sa/ca.pem",
	},
}

// transport is the HTTP side of an instance configuration.
type transport struct {
	timeout       time.Duration
	maxRetryAfter time.Duration
	caFile        string
}

// parseTransport reads the transport properties of cfg.
func parseTransport(cfg schema.Config) (transport, []schema.Problem) {
	var problems []schema.Problem
	tr := transport{caFile: cfg.String(propCAFile)}
	if n := cfg.Int(propTimeout); n < 1 || n > maxTimeoutSeconds {
		problems = append(problems, schema.Problem{Field: propTimeout, Message: fmt.Sprintf("must be between 1 and %d", maxTimeoutSeconds)})
	} else {
		tr.timeout = time.Duration(n) * time.Second
	}
	if n := cfg.Int(propMaxRetryAfter); n < 0 || n > maxRetryAfterCeiling {
		problems = append(problems, schema.Problem{Field: propMaxRetryAfter, Message: fmt.Sprintf("must be between 0 and %d", maxRetryAfterCeiling)})
	} else {
		tr.maxRetryAfter = time.Duration(n) * time.Second
	}
	if len(problems) == 0 {
		if _, err := rootCAs(tr.caFile); err != nil {
			problems = append(problems, schema.Problem{Field: propCAFile, Message: err.Error()})
		}
	}
	return tr, problems
}

// parseHTTPSURL checks a base URL property: absolute, https, no query or
// fragment. Messages never quote the value.
func parseHTTPSURL(field, raw string) (*url.URL, []schema.Problem) {
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

// newClient builds an instance's HTTP client. TLS is verified on every
// request against the system roots plus the CA file (StreamAlert's
// PagerDuty clients stopped verifying after the first request; Demisto
// and Phantom never verified).
func newClient(tr transport) (*http.Client, error) {
	roots, err := rootCAs(tr.caFile)
	if err != nil {
		return nil, err
	}
	connect := min(tr.timeout, maxConnectTimeout)
	t := &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            (&net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots},
		TLSHandshakeTimeout:    connect,
		ResponseHeaderTimeout:  tr.timeout,
		ExpectContinueTimeout:  time.Second,
		IdleConnTimeout:        idleConnTimeout,
		MaxIdleConnsPerHost:    maxIdlePerHost,
		MaxResponseHeaderBytes: maxResponseHeader,
		ForceAttemptHTTP2:      true,
	}
	return &http.Client{Transport: t, Timeout: tr.timeout, CheckRedirect: refuseRedirect}, nil
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

// response is a completed HTTP exchange.
type response struct {
	code   int
	header http.Header
	body   []byte
}

// roundTrip sends req and reads up to maxReadBody of the answer. A failure
// is returned as a retryable result whose message names only the method
// and cause: *url.Error quotes the URL.
func roundTrip(c *http.Client, req *http.Request) (response, *saplugin.SendResult) {
	resp, err := c.Do(req)
	if err != nil {
		return response{}, &saplugin.SendResult{Status: saplugin.Retryable, Message: transportMessage(req.Method, err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReadBody))
	if err != nil {
		return response{}, &saplugin.SendResult{Status: saplugin.Retryable,
			Message: transportMessage(req.Method, fmt.Errorf("read response: %w", err))}
	}
	return response{code: resp.StatusCode, header: resp.Header, body: body}, nil
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

// classify maps a response to a delivery outcome: 2xx delivered; 408, 425,
// 429 and 5xx retryable, honouring Retry-After up to limit; the rest
// permanent. Messages quote the vendor's answer.
func classify(r response, now time.Time, limit time.Duration) saplugin.SendResult {
	msg := fmt.Sprintf("HTTP %d", r.code)
	if q := quote(r.body); q != "" {
		msg += ": " + q
	}
	switch {
	case r.code >= 200 && r.code < 300:
		return saplugin.SendResult{Status: saplugin.Delivered, Message: fmt.Sprintf("HTTP %d", r.code)}
	case r.code == http.StatusTooManyRequests, r.code == http.StatusRequestTimeout,
		r.code == http.StatusTooEarly, r.code >= 500:
		return saplugin.SendResult{Status: saplugin.Retryable, Message: msg,
			RetryAfter: retryAfter(r.header.Get("Retry-After"), now, limit)}
	case r.code >= 300 && r.code < 400:
		return saplugin.SendResult{Status: saplugin.Permanent,
			Message: fmt.Sprintf("HTTP %d: the server redirects; redirects are not followed, configure its final URL", r.code)}
	}
	return saplugin.SendResult{Status: saplugin.Permanent, Message: msg}
}

// quote renders up to maxQuotedBody bytes of a body as one printable line,
// marking a cut with "...".
func quote(b []byte) string {
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

// retryAfter parses a Retry-After value (delay-seconds or an HTTP-date)
// into a wait between zero and limit; unparsable values count as absent.
func retryAfter(v string, now time.Time, limit time.Duration) time.Duration {
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

// newRedactor returns a function masking each secret of at least minMasked
// bytes, and its URL-escaped form, longest first.
func newRedactor(secrets ...string) func(string) string {
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
