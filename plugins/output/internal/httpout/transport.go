package httpout

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/streamalert-go/sa/internal/cabundle"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Names of the transport properties an instance may have.
const (
	PropTimeout       = "timeout_seconds"
	PropMaxRetryAfter = "max_retry_after_seconds"
	PropCAFile        = "ca_file"
)

// Bounds of the transport properties.
const (
	maxTimeoutSeconds    = 300
	maxRetryAfterCeiling = 86400
)

// TransportProperties are the schema entries ParseTransport reads. A plugin
// appends them after its own properties.
var TransportProperties = []schema.Property{
	{
		Name:        PropTimeout,
		Type:        schema.Integer,
		Description: "Seconds one HTTP request may take, connection to response (1-300).",
		Default:     "10",
	},
	{
		Name:        PropMaxRetryAfter,
		Type:        schema.Integer,
		Description: "Longest wait in seconds honoured from a Retry-After response header (0-86400).",
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

// ParseTransport reads the transport properties of cfg. The CA bundle is
// read only when the numbers are valid, so one mistake gives one problem.
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
		if _, err := cabundle.RootCAs(tr.CAFile); err != nil {
			problems = append(problems, schema.Problem{Field: PropCAFile, Message: err.Error()})
		}
	}
	return tr, problems
}

// Client builds the HTTP client of tr (see NewClient).
func (tr Transport) Client() (*http.Client, error) { return NewClient(tr.Timeout, tr.CAFile) }

// Sender builds a Sender over tr's client, masking with redact and reading
// Retry-After dates against now.
func (tr Transport) Sender(redact func(string) string, now func() time.Time) (*Sender, error) {
	c, err := tr.Client()
	if err != nil {
		return nil, err
	}
	return &Sender{Client: c, Redact: redact, MaxRetryAfter: tr.MaxRetryAfter, Now: now}, nil
}

// URLPolicy says which endpoint URLs a property accepts. The zero policy
// is the strictest: https, no credentials, query or fragment.
type URLPolicy struct {
	// LoopbackHTTP lets plain http reach localhost and loopback addresses,
	// where nothing crosses a network (a local relay, a test server).
	LoopbackHTTP bool
}

// Parse checks a base URL property: absolute, https (or loopback http when
// allowed), without credentials, query or fragment. Messages name the
// field and never quote the value, which may hold a token.
func (p URLPolicy) Parse(field, raw string) (*url.URL, []schema.Problem) {
	problem := func(msg string) []schema.Problem { return []schema.Problem{{Field: field, Message: msg}} }
	// url.Parse's error quotes the input, so only its verdict is used.
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return nil, problem("is not a valid absolute URL")
	case u.Scheme == "http" && p.LoopbackHTTP && IsLoopback(u.Hostname()):
	case u.Scheme != "https" && p.LoopbackHTTP:
		return nil, problem("scheme must be https (http only for localhost)")
	case u.Scheme != "https":
		return nil, problem("scheme must be https")
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, problem("may not carry credentials, a query or a fragment")
	}
	return u, nil
}

// ParseHTTPSURL is URLPolicy{}.Parse: an https base URL.
func ParseHTTPSURL(field, raw string) (*url.URL, []schema.Problem) {
	return URLPolicy{}.Parse(field, raw)
}

// IsLoopback reports whether host names this machine: "localhost", a name
// under .localhost (RFC 6761), or a loopback address.
func IsLoopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NewSender builds an instance's Sender once its configuration checked
// out: problems, when there are any, become the error, prefixed with the
// plugin's name as every error of the instance is. The Sender masks
// secrets and reads the clock through now, so a test may swap it later.
func NewSender(plugin string, tr Transport, problems []schema.Problem, secrets []string, now func() time.Time) (*Sender, error) {
	if err := schema.ProblemsError(problems); err != nil {
		return nil, fmt.Errorf("%s: invalid configuration: %w", plugin, err)
	}
	s, err := tr.Sender(NewRedactor(secrets...), now)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", plugin, err)
	}
	return s, nil
}
