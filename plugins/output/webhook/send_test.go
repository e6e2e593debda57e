package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/internal/httpouttest"
	"github.com/streamalert-go/sa/plugins/output/webhook/signature"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

const (
	testAlert       = `{"id":"alert-42","rule_name":"root_login","record":{"user":"root"}}`
	testPublication = `{"text":"root logged in","severity":"high"}`
)

func ok(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }

func TestSendRequest(t *testing.T) {
	bodyHash := func(b string) string { s := sha256.Sum256([]byte(b)); return hex.EncodeToString(s[:]) }
	tests := []struct {
		name         string
		change       map[string]any
		alert, pub   string
		wantBody     string
		wantDelivery string
		wantSigned   bool
		wantHeaders  map[string]string
	}{
		{name: "publication signed", alert: testAlert, pub: testPublication,
			wantBody: testPublication, wantDelivery: "alert-42", wantSigned: true},
		{name: "no publication sends the alert", alert: testAlert,
			wantBody: testAlert, wantDelivery: "alert-42", wantSigned: true},
		{name: "null publication sends the alert", alert: testAlert, pub: " null ",
			wantBody: testAlert, wantDelivery: "alert-42", wantSigned: true},
		{name: "numeric id", alert: `{"id":1234}`,
			wantBody: `{"id":1234}`, wantDelivery: "1234", wantSigned: true},
		{name: "no id: body hash", alert: `{"rule":"x"}`,
			wantBody: `{"rule":"x"}`, wantDelivery: bodyHash(`{"rule":"x"}`), wantSigned: true},
		{name: "object id: body hash", alert: `{"id":{"x":1}}`,
			wantBody: `{"id":{"x":1}}`, wantDelivery: bodyHash(`{"id":{"x":1}}`), wantSigned: true},
		{name: "null id: body hash", alert: `{"id":null}`,
			wantBody: `{"id":null}`, wantDelivery: bodyHash(`{"id":null}`), wantSigned: true},
		{name: "unsafe id: body hash", alert: `{"id":"a\nb"}`, pub: testPublication,
			wantBody: testPublication, wantDelivery: bodyHash(testPublication), wantSigned: true},
		{name: "unsigned", change: map[string]any{propSigningSecret: nil}, alert: testAlert,
			wantBody: testAlert, wantDelivery: "alert-42"},
		{name: "extra headers", change: map[string]any{propHeaders: []any{"X-Team: secops", "Authorization: Bearer abc"}},
			alert: testAlert, wantBody: testAlert, wantDelivery: "alert-42", wantSigned: true,
			wantHeaders: map[string]string{"X-Team": "secops", "Authorization": "Bearer abc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, true, ok)
			w := newTestWebhook(&httpouttest.Buffer{})
			raw := baseConfig(t, rc)
			for k, v := range tt.change {
				raw[k] = v
			}
			cfg := httpouttest.Configure(t, w, testDescriptor, raw)
			res := w.Send(context.Background(), saplugin.SendRequest{
				Instance: testDescriptor, Config: cfg, Alert: []byte(tt.alert), Publication: []byte(tt.pub)})
			if res.Status != saplugin.Delivered {
				t.Fatalf("status %s (%s), want delivered", res.Status, res.Message)
			}
			reqs := rc.Requests()
			if len(reqs) != 1 {
				t.Fatalf("receiver saw %d requests, want 1", len(reqs))
			}
			checkRequest(t, reqs[0], tt.wantBody, tt.wantDelivery, tt.wantSigned)
			for k, v := range tt.wantHeaders {
				if got := reqs[0].Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

// checkRequest checks the fixed shape of every webhook request.
func checkRequest(t *testing.T, r httpouttest.Request, body, delivery string, signed bool) {
	t.Helper()
	want := map[string]string{
		"Content-Type":   "application/json",
		"User-Agent":     "sa-output-webhook/" + version,
		"X-SA-Timestamp": "1700000000",
		"X-SA-Delivery":  delivery,
	}
	for k, v := range want {
		if got := r.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	if r.Method != http.MethodPost || r.Path != tokenPath || r.Query != "key=q-secret-77b1" {
		t.Errorf("request %s %s?%s, want POST %s?key=q-secret-77b1", r.Method, r.Path, r.Query, tokenPath)
	}
	if string(r.Body) != body {
		t.Errorf("body %s, want %s", r.Body, body)
	}
	sig := r.Header.Get(signature.Header)
	if !signed {
		if sig != "" {
			t.Errorf("unsigned instance sent signature %q", sig)
		}
		return
	}
	if err := signature.Verify([]byte(testSecret), sig, r.Body, fixedNow, time.Minute); err != nil {
		t.Errorf("signature %q does not verify: %v", sig, err)
	}
	if !strings.HasPrefix(sig, "t=1700000000,v1=") {
		t.Errorf("signature %q does not carry the timestamp", sig)
	}
}

func TestSendStatus(t *testing.T) {
	long := strings.Repeat("x", 600)
	retryDate := fixedNow.Add(42 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		code        int
		retryAfter  string
		body        string
		want        saplugin.SendStatus
		wantWait    time.Duration
		wantMessage string
	}{
		{code: 200, want: saplugin.Delivered},
		{code: 201, want: saplugin.Delivered},
		{code: 204, want: saplugin.Delivered},
		{code: 400, body: `{"error":"bad field"}`, want: saplugin.Permanent, wantMessage: `HTTP 400: {"error":"bad field"}`},
		{code: 401, body: "invalid token", want: saplugin.Permanent, wantMessage: "HTTP 401: invalid token"},
		{code: 403, body: "forbidden\r\nreally", want: saplugin.Permanent, wantMessage: "HTTP 403: forbidden really"},
		{code: 404, body: "no such hook", want: saplugin.Permanent, wantMessage: "HTTP 404: no such hook"},
		{code: 413, body: long, want: saplugin.Permanent, wantMessage: "HTTP 413: " + long[:512] + "..."},
		{code: 302, want: saplugin.Permanent, wantMessage: "redirects are not followed"},
		{code: 429, retryAfter: "7", want: saplugin.Retryable, wantWait: 7 * time.Second},
		{code: 429, retryAfter: retryDate, want: saplugin.Retryable, wantWait: 42 * time.Second},
		{code: 429, retryAfter: "100000", want: saplugin.Retryable, wantWait: 900 * time.Second},
		{code: 429, retryAfter: "soon", want: saplugin.Retryable},
		{code: 408, want: saplugin.Retryable},
		{code: 425, want: saplugin.Retryable},
		{code: 500, body: "oops", want: saplugin.Retryable, wantMessage: "HTTP 500: oops"},
		{code: 503, retryAfter: "3", want: saplugin.Retryable, wantWait: 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.code, tt.retryAfter), func(t *testing.T) {
			rc := newReceiver(t, true, func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				if tt.code == 302 {
					w.Header().Set("Location", "https://elsewhere.example.com/")
				}
				w.WriteHeader(tt.code)
				fmt.Fprint(w, tt.body)
			})
			w := newTestWebhook(&httpouttest.Buffer{})
			cfg := httpouttest.Configure(t, w, testDescriptor, baseConfig(t, rc))
			res := w.Send(context.Background(), saplugin.SendRequest{Instance: testDescriptor, Config: cfg, Alert: []byte(testAlert)})
			if res.Status != tt.want || res.RetryAfter != tt.wantWait {
				t.Fatalf("got %s after %s (%s), want %s after %s", res.Status, res.RetryAfter, res.Message, tt.want, tt.wantWait)
			}
			if !strings.Contains(res.Message, tt.wantMessage) {
				t.Errorf("message %q does not contain %q", res.Message, tt.wantMessage)
			}
			if n := len(rc.Requests()); n != 1 {
				t.Errorf("receiver saw %d requests, want exactly 1", n)
			}
		})
	}
}

func TestSendTransportFailure(t *testing.T) {
	refused := func(t *testing.T) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return "https://" + addr + tokenPath
	}
	// hang never answers: once the client gives up it drops the connection
	// rather than let net/http write an implicit 200.
	hang := func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		panic(http.ErrAbortHandler)
	}
	tests := []struct {
		name        string
		setup       func(t *testing.T, raw map[string]any)
		wantMessage string
		maxElapsed  time.Duration
	}{
		{"connection refused", func(t *testing.T, raw map[string]any) { raw[propURL] = refused(t) },
			"connection refused", 5 * time.Second},
		{"server hangs past the timeout", func(t *testing.T, raw map[string]any) {
			raw[propURL] = hookURL(newReceiver(t, true, hang))
			raw[propTimeout] = 1
		}, "timed out", 3 * time.Second},
		{"untrusted certificate", func(t *testing.T, raw map[string]any) {
			raw[propURL] = hookURL(newReceiver(t, true, ok))
			delete(raw, propCAFile)
		}, "certificate", 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := baseConfig(t, newReceiver(t, true, ok))
			tt.setup(t, raw)
			w := newTestWebhook(&httpouttest.Buffer{})
			cfg := httpouttest.Configure(t, w, testDescriptor, raw)
			start := time.Now()
			res := w.Send(context.Background(), saplugin.SendRequest{Instance: testDescriptor, Config: cfg, Alert: []byte(testAlert)})
			if elapsed := time.Since(start); elapsed > tt.maxElapsed {
				t.Errorf("took %s, want under %s", elapsed, tt.maxElapsed)
			}
			if res.Status != saplugin.Retryable || !strings.Contains(res.Message, tt.wantMessage) {
				t.Fatalf("got %s (%s), want retryable mentioning %q", res.Status, res.Message, tt.wantMessage)
			}
			if !strings.HasPrefix(res.Message, "POST: ") {
				t.Errorf("message %q does not name the method", res.Message)
			}
			t.Logf("message: %s", res.Message)
			secrettest.AssertNoLeak(t, []string{tokenPath, "T0KEN-8f3a9c2e71b4"}, res.Message)
		})
	}
}

func TestSendPlainHTTP(t *testing.T) {
	rc := newReceiver(t, false, ok)
	raw := map[string]any{propDescriptor: "lab", propURL: hookURL(rc)}
	w := newTestWebhook(&httpouttest.Buffer{})
	cfg, _ := w.Schema().Apply(raw)
	if problems := w.ValidateConfig(cfg); len(problems) != 1 || problems[0].Field != propURL {
		t.Fatalf("http URL without allow_http: problems %v, want one on %s", problems, propURL)
	}
	raw[propAllowHTTP] = true
	cfg = httpouttest.Configure(t, w, "lab", raw)
	res := w.Send(context.Background(), saplugin.SendRequest{Instance: "lab", Config: cfg, Alert: []byte(testAlert)})
	if res.Status != saplugin.Delivered {
		t.Fatalf("status %s (%s), want delivered", res.Status, res.Message)
	}
}

// TestSendNoSecretLeak drives every outcome against a receiver that quotes
// the request back, and checks that neither the results nor the plugin's
// log reveal the URL's token, its query or the signing secret.
func TestSendNoSecretLeak(t *testing.T) {
	echo := func(code int) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			fmt.Fprintf(w, "no route for %s (url %s) signed %s", r.URL.Path, r.URL.String(), r.Header.Get(signature.Header))
		}
	}
	logs := &httpouttest.Buffer{}
	w := newTestWebhook(logs)
	var messages []string
	for _, code := range []int{200, 404, 500, 429} {
		rc := newReceiver(t, true, echo(code))
		cfg := httpouttest.Configure(t, w, testDescriptor, baseConfig(t, rc))
		res := w.Send(context.Background(), saplugin.SendRequest{Instance: testDescriptor, Config: cfg, Alert: []byte(testAlert)})
		messages = append(messages, res.Message)
	}
	rc := newReceiver(t, true, ok)
	raw := baseConfig(t, rc)
	rc.Close()
	cfg := httpouttest.Configure(t, w, testDescriptor, raw)
	res := w.Send(context.Background(), saplugin.SendRequest{Instance: testDescriptor, Config: cfg, Alert: []byte(testAlert)})
	messages = append(messages, res.Message)

	secrets := []string{tokenPath, "T0KEN-8f3a9c2e71b4", "q-secret-77b1", testSecret}
	for _, m := range messages {
		secrettest.AssertNoLeak(t, secrets, m)
	}
	secrettest.AssertNoLeak(t, secrets, logs.String())
	t.Logf("messages: %q", messages)
	if !strings.Contains(messages[1], "no route for <secret>") {
		t.Errorf("404 message %q: want the echoed path masked", messages[1])
	}
}

// TestSendConcurrent sends from many goroutines while the instance is
// reconfigured, as a host with many alerts in flight would (run with -race).
func TestSendConcurrent(t *testing.T) {
	rc := newReceiver(t, true, ok)
	w := newTestWebhook(&httpouttest.Buffer{})
	cfg := httpouttest.Configure(t, w, testDescriptor, baseConfig(t, rc))
	results := make(chan saplugin.SendResult, 40)
	for i := range cap(results) {
		go func() {
			if i%10 == 0 {
				_ = w.Configure(context.Background(), testDescriptor, cfg)
			}
			results <- w.Send(context.Background(), saplugin.SendRequest{Instance: testDescriptor, Config: cfg, Alert: []byte(testAlert)})
		}()
	}
	for range cap(results) {
		if res := <-results; res.Status != saplugin.Delivered {
			t.Errorf("status %s (%s)", res.Status, res.Message)
		}
	}
}
