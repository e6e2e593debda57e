package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// Transport limits that do not depend on the configured timeout.
const (
	maxConnectTimeout = 10 * time.Second
	idleConnTimeout   = 90 * time.Second
	maxIdlePerHost    = 8
	maxResponseHeader = 64 << 10
)

// newClient builds the HTTP client of one instance. TLS is always
// verified, against the system roots plus the instance's ca_file.
func newClient(s settings) (*http.Client, error) {
	roots, err := rootCAs(s.caFile)
	if err != nil {
		return nil, err
	}
	connect := min(s.timeout, maxConnectTimeout)
	tr := &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            (&net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots},
		TLSHandshakeTimeout:    connect,
		ResponseHeaderTimeout:  s.timeout,
		ExpectContinueTimeout:  time.Second,
		IdleConnTimeout:        idleConnTimeout,
		MaxIdleConnsPerHost:    maxIdlePerHost,
		MaxResponseHeaderBytes: maxResponseHeader,
		ForceAttemptHTTP2:      true,
	}
	return &http.Client{Transport: tr, Timeout: s.timeout, CheckRedirect: refuseRedirect}, nil
}

// refuseRedirect stops at the first redirect, to any host, and hands the
// 3xx response back to be reported as a permanent failure. Following one
// would either turn the POST into a body-less GET (301, 302, 303) or replay
// the signed alert to a location nobody configured (307, 308), which for a
// secret-bearing URL may be an attacker's; a receiver that moved should be
// reconfigured with its new URL instead.
func refuseRedirect(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}

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
