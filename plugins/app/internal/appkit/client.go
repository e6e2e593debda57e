package appkit

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/streamalert-go/sa/internal/cabundle"
)

// Transport limits that do not depend on the configured timeout.
const (
	maxConnectTimeout  = 10 * time.Second
	idleConnTimeout    = 90 * time.Second
	maxIdlePerHost     = 4
	maxResponseHeader  = 64 << 10
	maxRedirects       = 3
	defaultMaxAttempts = 4
)

// Options configure a Client.
type Options struct {
	// Settings give the timeout, CA bundle and connect-to address.
	Settings Settings
	// Budget bounds every wait and retry; required.
	Budget *Budget
	// UserAgent is sent with every request ("sa-app-okta/0.1.0").
	UserAgent string
	// Secrets are masked in every error message; add tokens obtained
	// later with AddSecret.
	Secrets []string
	// RateLimit reads the vendor's rate-limit signals; nil honours
	// Retry-After on 429 only.
	RateLimit RateLimitFunc
	// ErrorText extracts the vendor's error message from an error body;
	// nil quotes the body.
	ErrorText func(body []byte) string
	// MaxAttempts bounds the tries of one request on 5xx answers,
	// timeouts and connection errors (4).
	MaxAttempts int
	// MinInterval spaces requests for vendors that ask for it (Duo).
	MinInterval time.Duration
	// Logger receives retry and rate-limit notes; nil discards them.
	Logger *slog.Logger
}

// Client calls one instance's vendor API. It is safe for concurrent use,
// though a poll usually makes one call at a time.
type Client struct {
	hc   *http.Client
	opts Options
	log  *slog.Logger

	mu        sync.Mutex
	redact    func(string) string
	secrets   []string
	pause     time.Time // no request before this (vendor reset)
	lastStart time.Time
}

// NewClient builds a client. TLS is verified against the system roots plus
// the CA file; redirects are followed only to the same host, at most three.
func NewClient(o Options) (*Client, error) {
	if o.Budget == nil {
		return nil, errors.New("appkit: client without a budget")
	}
	if o.Settings.Timeout <= 0 {
		o.Settings.Timeout = 30 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = defaultMaxAttempts
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	roots, err := cabundle.RootCAs(o.Settings.CAFile)
	if err != nil {
		return nil, err
	}
	c := &Client{opts: o, log: o.Logger}
	c.setSecrets(o.Secrets)
	connect := min(o.Settings.Timeout, maxConnectTimeout)
	dialer := &net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}
	dial := dialer.DialContext
	if to := o.Settings.ConnectTo; to != "" {
		dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, to)
		}
	}
	tr := &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            dial,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots},
		TLSHandshakeTimeout:    connect,
		ResponseHeaderTimeout:  o.Settings.Timeout,
		IdleConnTimeout:        idleConnTimeout,
		MaxIdleConnsPerHost:    maxIdlePerHost,
		MaxResponseHeaderBytes: maxResponseHeader,
		ForceAttemptHTTP2:      true,
	}
	if o.Settings.ConnectTo != "" {
		tr.Proxy = nil // the address is where to connect, not a proxy to tunnel through
	}
	c.hc = &http.Client{Transport: tr, CheckRedirect: sameHostRedirect}
	return c, nil
}

// sameHostRedirect follows a redirect only within the host first asked,
// so credentials never travel to a host nobody configured.
func sameHostRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return http.ErrUseLastResponse
	}
	if req.URL.Scheme != "https" || req.URL.Host != via[0].URL.Host {
		return http.ErrUseLastResponse
	}
	return nil
}

// AddSecret masks s (an access token obtained at run time) in every
// message from now on.
func (c *Client) AddSecret(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setSecretsLocked(append(c.secrets, s))
}

func (c *Client) setSecrets(s []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setSecretsLocked(s)
}

func (c *Client) setSecretsLocked(s []string) {
	c.secrets = s
	c.redact = NewRedactor(s...)
}

// Redact masks the instance's secrets in s.
func (c *Client) Redact(s string) string {
	c.mu.Lock()
	r := c.redact
	c.mu.Unlock()
	return r(s)
}

// Close releases idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }
