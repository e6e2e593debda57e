package httpout

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"

	"github.com/streamalert-go/sa/internal/cabundle"
)

// Transport limits that do not depend on the configured timeout.
const (
	maxConnectTimeout = 10 * time.Second
	idleConnTimeout   = 90 * time.Second
	maxIdlePerHost    = 8
	maxResponseHeader = 64 << 10
)

// NewClient returns an HTTP client whose every call ends within timeout.
// TLS is always verified, against the system roots plus the certificates
// in caFile when it is set; redirects are never followed (see
// refuseRedirect).
func NewClient(timeout time.Duration, caFile string) (*http.Client, error) {
	roots, err := cabundle.RootCAs(caFile)
	if err != nil {
		return nil, err
	}
	connect := min(timeout, maxConnectTimeout)
	tr := &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            (&net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots},
		TLSHandshakeTimeout:    connect,
		ResponseHeaderTimeout:  timeout,
		ExpectContinueTimeout:  time.Second,
		IdleConnTimeout:        idleConnTimeout,
		MaxIdleConnsPerHost:    maxIdlePerHost,
		MaxResponseHeaderBytes: maxResponseHeader,
		ForceAttemptHTTP2:      true,
	}
	return &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: refuseRedirect}, nil
}

// refuseRedirect hands a 3xx back to be reported as a permanent failure.
// Following it would turn a POST into a body-less GET (301-303) or replay
// the alert, and its credentials, to a location nobody configured
// (307, 308).
func refuseRedirect(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}
