package main

import (
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/streamalert-go/sa/internal/httpouttest"
)

// Values used across the tests. tokenPath is the secret part of the URL.
const (
	tokenPath      = "/hooks/T0KEN-8f3a9c2e71b4"
	testSecret     = "example-signing-secret-0123456789"
	testDescriptor = "soc"
)

// fixedNow is the clock of in-process tests.
var fixedNow = time.Unix(1700000000, 0)

// newReceiver starts an HTTPS receiver (or plain HTTP when tls is false)
// that records requests and answers with reply.
func newReceiver(t *testing.T, tls bool, reply http.HandlerFunc) *httpouttest.Vendor {
	if tls {
		return httpouttest.NewVendor(t, reply)
	}
	return httpouttest.NewPlain(t, reply)
}

// hookURL is the receiver's URL with the secret token path.
func hookURL(rc *httpouttest.Vendor) string { return rc.URL + tokenPath }

// newTestWebhook returns a webhook with a fixed clock, logging into logs.
func newTestWebhook(logs io.Writer) *Webhook {
	w := New()
	w.log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w.now = func() time.Time { return fixedNow }
	return w
}

// baseConfig is a valid configuration for rc, before per-test changes.
func baseConfig(t *testing.T, rc *httpouttest.Vendor) map[string]any {
	return map[string]any{
		propDescriptor:    testDescriptor,
		propURL:           hookURL(rc) + "?key=q-secret-77b1",
		propSigningSecret: testSecret,
		propCAFile:        rc.CAFile(t),
	}
}
