package appkit_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
)

const (
	vendorHost = "api.vendor.example"
	token      = "tok-9f8e7d6c5b4a39281706"
)

// newClient returns a client reaching srv as vendorHost within budget.
func newClient(t *testing.T, srv *apptest.Server, budget time.Duration, mod func(*appkit.Options)) *appkit.Client {
	t.Helper()
	o := appkit.Options{
		Settings:  appkit.Settings{Timeout: 2 * time.Second, CAFile: srv.CAFile, ConnectTo: srv.Addr},
		Budget:    appkit.NewBudget(budget),
		UserAgent: "sa-app-test/1.0.0",
		Secrets:   []string{token},
	}
	if mod != nil {
		mod(&o)
	}
	c, err := appkit.NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func get(path string) appkit.Request {
	return appkit.Request{Method: http.MethodGet, URL: "https://" + vendorHost + path,
		Header: http.Header{"Authorization": {"Bearer " + token}}}
}

// scripted answers the i-th request with replies[i] (the last one repeats).
func scripted(calls *atomic.Int32, replies ...func(w http.ResponseWriter, r *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(calls.Add(1)) - 1
		replies[min(i, len(replies)-1)](w, r)
	}
}

func reply(code int, body string, headers ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

func TestClientReachesVendorHostVerified(t *testing.T) {
	var host, ua, auth string
	srv := apptest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, ua, auth = r.Host, r.UserAgent(), r.Header.Get("Authorization")
		io.WriteString(w, `{"ok":true}`)
	}), vendorHost)
	c := newClient(t, srv, 5*time.Second, nil)
	resp, err := c.Do(context.Background(), get("/v1/logs?since=1"))
	if err != nil {
		t.Fatal(err)
	}
	var body struct{ OK bool }
	if err := resp.JSON(&body); err != nil || !body.OK {
		t.Fatalf("body %s: %v", resp.Body, err)
	}
	if host != vendorHost || ua != "sa-app-test/1.0.0" || auth != "Bearer "+token {
		t.Errorf("host %q, user agent %q, auth %q", host, ua, auth)
	}

	// Without the kit's CA the certificate is not trusted: TLS is verified.
	untrusted := newClient(t, srv, 5*time.Second, func(o *appkit.Options) { o.Settings.CAFile = "" })
	_, err = untrusted.Do(context.Background(), get("/v1/logs"))
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted server: %v", err)
	}
	// A certificate for another name is refused too.
	wrong := newClient(t, srv, 5*time.Second, nil)
	if _, err := wrong.Do(context.Background(), appkit.Request{Method: "GET", URL: "https://other.example/x"}); err == nil {
		t.Fatal("certificate for another host accepted")
	}
}

func TestClientRetries(t *testing.T) {
	tests := []struct {
		name    string
		replies []func(http.ResponseWriter, *http.Request)
		calls   int32
		status  int // 0: success
	}{
		{"5xx then ok", []func(http.ResponseWriter, *http.Request){reply(503, "busy"), reply(502, "busy"), reply(200, "{}")}, 3, 0},
		{"5xx until attempts run out", []func(http.ResponseWriter, *http.Request){reply(500, `{"error":"boom"}`)}, 4, 500},
		{"4xx is final", []func(http.ResponseWriter, *http.Request){reply(403, "forbidden")}, 1, 403},
		{"408 retried", []func(http.ResponseWriter, *http.Request){reply(408, ""), reply(200, "{}")}, 2, 0},
		{"timeout retried", []func(http.ResponseWriter, *http.Request){func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(2500 * time.Millisecond)
		}, reply(200, "{}")}, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := apptest.NewServer(t, scripted(&calls, tt.replies...), vendorHost)
			c := newClient(t, srv, 30*time.Second, nil)
			_, err := c.Do(context.Background(), get("/v1/logs"))
			if got := appkit.StatusOf(err); got != tt.status || (tt.status == 0) != (err == nil) {
				t.Fatalf("status %d err %v, want %d", got, err, tt.status)
			}
			if calls.Load() != tt.calls {
				t.Errorf("%d calls, want %d", calls.Load(), tt.calls)
			}
		})
	}
}

func TestClientRateLimit(t *testing.T) {
	var calls atomic.Int32
	srv := apptest.NewServer(t, scripted(&calls, reply(429, "slow down", "Retry-After", "1"), reply(200, "{}")), vendorHost)
	c := newClient(t, srv, 10*time.Second, nil)
	start := time.Now()
	if _, err := c.Do(context.Background(), get("/v1/logs")); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < time.Second || calls.Load() != 2 {
		t.Errorf("retried after %s with %d calls, want after Retry-After's 1s", d, calls.Load())
	}

	// A wait longer than the budget is not waited for past the budget.
	calls.Store(0)
	srv = apptest.NewServer(t, scripted(&calls, reply(429, "slow down", "Retry-After", "3600")), vendorHost)
	c = newClient(t, srv, 500*time.Millisecond, nil)
	start = time.Now()
	_, err := c.Do(context.Background(), get("/v1/logs"))
	if !errors.Is(err, appkit.ErrOutOfBudget) || time.Since(start) > 2*time.Second {
		t.Fatalf("err %v after %s, want ErrOutOfBudget within the budget", err, time.Since(start))
	}
	if pause := c.Pause(); time.Until(pause) < 59*time.Minute {
		t.Errorf("pause %v not kept for the next poll", pause)
	}
}

func TestClientVendorResetHeaders(t *testing.T) {
	var calls atomic.Int32
	var times []time.Time
	reset := func(w http.ResponseWriter, r *http.Request) {
		times = append(times, time.Now())
		w.Header().Set("X-Rate-Limit-Remaining", "0")
		w.Header().Set("X-Rate-Limit-Reset", fmt.Sprint(time.Now().Add(1500*time.Millisecond).Unix()))
		io.WriteString(w, "{}")
	}
	srv := apptest.NewServer(t, scripted(&calls, reset), vendorHost)
	c := newClient(t, srv, 10*time.Second, func(o *appkit.Options) {
		o.RateLimit = appkit.HeaderLimit("X-Rate-Limit-Remaining", "X-Rate-Limit-Reset")
	})
	for range 2 {
		if _, err := c.Do(context.Background(), get("/v1/logs")); err != nil {
			t.Fatal(err)
		}
	}
	if gap := times[1].Sub(times[0]); gap < 500*time.Millisecond {
		t.Errorf("second call %s after the first, though the quota was spent until the reset", gap)
	}
}

func TestClientRedirects(t *testing.T) {
	srv := apptest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/here", http.StatusFound)
		case "/away":
			http.Redirect(w, r, "https://collector.attacker.example/steal", http.StatusTemporaryRedirect)
		default:
			io.WriteString(w, "{}")
		}
	}), vendorHost, "collector.attacker.example")
	c := newClient(t, srv, 5*time.Second, nil)
	resp, err := c.Do(context.Background(), get("/moved"))
	if err != nil || resp.URL.Path != "/here" {
		t.Fatalf("same-host redirect: %v %v", resp, err)
	}
	_, err = c.Do(context.Background(), get("/away"))
	if appkit.StatusOf(err) != http.StatusTemporaryRedirect || !strings.Contains(err.Error(), "not followed") {
		t.Fatalf("redirect to another host: %v", err)
	}
}

func TestClientErrorsAreRedacted(t *testing.T) {
	srv := apptest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":"invalid token %s", "echo":"%s"}`, token, r.Header.Get("Authorization"))
	}), vendorHost)
	c := newClient(t, srv, 5*time.Second, nil)
	c.AddSecret("runtime-access-token-xyz")
	req := get("/v1/logs?key=" + token)
	req.Prepare = func(r *http.Request) error { r.Header.Set("X-Token", "runtime-access-token-xyz"); return nil }
	_, err := c.Do(context.Background(), req)
	var he *appkit.HTTPError
	if !errors.As(err, &he) || he.Status != 401 || !strings.Contains(err.Error(), "invalid token") {
		t.Fatalf("err %v", err)
	}
	secrettest.AssertNoLeak(t, []string{token, "runtime-access-token-xyz"}, secrettest.Render(err)...)

	// A failed round trip names method and path, never the query.
	srv.Close()
	_, err = c.Do(context.Background(), get("/v1/logs?key="+token))
	if err == nil || !strings.Contains(err.Error(), "GET /v1/logs") {
		t.Fatalf("transport error %v", err)
	}
	secrettest.AssertNoLeak(t, []string{token}, err.Error())
}

func TestClientPrepareAndInterval(t *testing.T) {
	var calls atomic.Int32
	var dates []string
	var times []time.Time
	srv := apptest.NewServer(t, scripted(&calls, func(w http.ResponseWriter, r *http.Request) {
		dates = append(dates, r.Header.Get("X-Attempt"))
		times = append(times, time.Now())
		if len(dates) == 1 {
			w.WriteHeader(500)
			return
		}
		io.WriteString(w, "{}")
	}), vendorHost)
	c := newClient(t, srv, 10*time.Second, func(o *appkit.Options) { o.MinInterval = 300 * time.Millisecond })
	n := 0
	req := get("/x")
	req.Prepare = func(r *http.Request) error { n++; r.Header.Set("X-Attempt", fmt.Sprint(n)); return nil }
	if _, err := c.Do(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if strings.Join(dates, ",") != "1,2,3" {
		t.Errorf("Prepare ran per attempt? saw %q", dates)
	}
	if gap := times[2].Sub(times[1]); gap < 250*time.Millisecond {
		t.Errorf("requests %s apart, want at least the 300ms interval", gap)
	}
}
