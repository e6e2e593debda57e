package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
)

// TestTokenReuseAndRefresh checks a token is fetched once and reused by
// later polls, and that a token Google no longer accepts is replaced once.
func TestTokenReuseAndRefresh(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 8})
	src.Generate(5)
	f := newFakeGoogle(t, src, "token")
	app := New()
	cfg := apptest.Config(t, app, f.config(t, nil))
	b, err := poll(t, app, cfg, nil, time.Minute)
	if err != nil || len(apptest.Logs(b)) != 5 {
		t.Fatalf("first poll: %d logs, %v", len(apptest.Logs(b)), err)
	}
	state := apptest.LastState(nil, b)
	if _, err := poll(t, app, cfg, state, time.Minute); err != nil {
		t.Fatal(err)
	}
	if tokens, _ := f.counts(); tokens != 1 {
		t.Fatalf("%d token requests for two polls, want 1", tokens)
	}
	f.expireAll()
	src.Generate(3)
	b, err = poll(t, app, cfg, state, time.Minute)
	if err != nil || len(apptest.Logs(b)) < 3 {
		t.Fatalf("poll after expiry: %d logs, %v", len(apptest.Logs(b)), err)
	}
	if tokens, _ := f.counts(); tokens != 2 {
		t.Fatalf("%d token requests, want a second one after the 401", tokens)
	}
}

// TestRefusedGrant checks a refused assertion fails the poll with Google's
// reason and leaves the state alone, without leaking a secret.
func TestRefusedGrant(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 8})
	f := newFakeGoogle(t, src, "admin")
	logs := &apptest.Buffer{}
	app := newLogged(logs)
	cfg := apptest.Config(t, app, f.config(t, nil))
	f.refuseToken = "invalid_grant"
	b, err := poll(t, app, cfg, []byte(`{"v":1,"bound":"2026-01-02T03:04:05Z"}`), time.Minute)
	if err == nil || !strings.Contains(err.Error(), "invalid_grant: Invalid JWT Signature.") || !strings.Contains(err.Error(), "HTTP 400") {
		t.Fatalf("error %v, want Google's invalid_grant", err)
	}
	if n := len(apptest.Logs(b)); n != 0 {
		t.Fatalf("a failed first call emitted %d logs", n)
	}
	secrettest.AssertNoLeak(t, f.secretsOf(t), err.Error(), logs.String())
}

// TestForbidden checks an API refusal other than a rate limit is reported
// with Google's message.
func TestForbidden(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 8})
	f := newFakeGoogle(t, src, "admin")
	app := New()
	cfg := apptest.Config(t, app, f.config(t, nil))
	f.refuseNext(func(w http.ResponseWriter) bool {
		googleError(w, http.StatusForbidden, "PERMISSION_DENIED", "Not Authorized to access this resource/api")
		return true
	})
	_, err := poll(t, app, cfg, nil, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "PERMISSION_DENIED: Not Authorized") {
		t.Fatalf("error %v", err)
	}
}

// TestRateLimit checks a short Retry-After is waited out within the poll,
// and one longer than the budget ends the poll cleanly with More and a
// state that resumes where it stopped.
func TestRateLimit(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 9, PerRequest: 1})
	src.Generate(50)
	f := newFakeGoogle(t, src, "admin")
	app := New()
	cfg := apptest.Config(t, app, f.config(t, nil))
	limit := func(after string) func(w http.ResponseWriter) bool {
		return func(w http.ResponseWriter) bool {
			w.Header().Set("Retry-After", after)
			googleError(w, http.StatusTooManyRequests, "RESOURCE_EXHAUSTED", "Quota exceeded")
			return true
		}
	}
	f.refuseNext(nil)
	f.refuseNext(limit("1"))
	start := time.Now()
	b, err := poll(t, app, cfg, nil, time.Minute)
	if err != nil || time.Since(start) < time.Second {
		t.Fatalf("poll: %v after %v, want the 1s wait honoured", err, time.Since(start))
	}
	state := apptest.LastState(nil, b)
	n := len(apptest.Logs(b))

	src.Generate(50)
	f.refuseNext(nil)
	f.refuseNext(limit("3600"))
	b, err = poll(t, app, cfg, state, 2*time.Second)
	if err != nil || len(b) == 0 || !b[len(b)-1].More {
		t.Fatalf("poll refused for an hour: %v, %d batches, want a last batch saying More", err, len(b))
	}
	var st map[string]any
	json.Unmarshal(apptest.LastState(nil, b), &st)
	nb, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(st["not_before"]))
	if st["token"] == nil || time.Until(nb) < 59*time.Minute {
		t.Fatalf("state %s does not keep the page to resume from and the vendor's wait", apptest.LastState(nil, b))
	}
	n += len(apptest.Logs(b))
	// An hour later: the wait is over.
	delete(st, "not_before")
	state, _ = json.Marshal(st)
	b, err = poll(t, app, cfg, state, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if n += len(apptest.Logs(b)); n < 100 {
		t.Fatalf("%d activities over three polls, want all 100 and more", n)
	}
}

// TestExpiredPageToken checks a refused page token restarts the window,
// emitting nothing twice.
func TestExpiredPageToken(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 10, PerRequest: 1})
	src.Generate(45)
	f := newFakeGoogle(t, src, "admin")
	app := New()
	cfg := apptest.Config(t, app, f.config(t, nil))
	f.refuseNext(nil)
	f.refuseNext(func(w http.ResponseWriter) bool {
		googleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid page token")
		return true
	})
	b, err := poll(t, app, cfg, nil, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, l := range apptest.Logs(b) {
		id, _ := idOf(l)
		if seen[id] {
			t.Fatalf("%s emitted twice", id)
		}
		seen[id] = true
	}
	if len(seen) < 45 {
		t.Fatalf("%d activities, want 45", len(seen))
	}
}
