package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

var secrets = []string{testKey, testUser + ":" + testKey}

func newLogged(w io.Writer) *App {
	a := New()
	a.Spec.Logger = apptest.DebugLogger(w)
	return a
}

// poll runs one in-process Gather of instance "ts".
func poll(t *testing.T, app *App, cfg schema.Config, state []byte, budget time.Duration) ([]saplugin.Batch, error) {
	t.Helper()
	return apptest.Gather(t, app, "ts", cfg, state, budget)
}

func TestGapFreeInProcess(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 51})
	f := newFakeStream(t, src)
	cfg := apptest.Config(t, New(), f.config(nil))
	logs := &apptest.Buffer{}
	g := &apptest.InProcess{Instance: "ts", Config: cfg, New: func() saplugin.App {
		a := newLogged(logs)
		a.BatchLogs = 9 // so crashes come in the middle of pages
		return a
	}}
	d := apptest.Driver{Source: src, IDOf: idOf, Logf: t.Logf, Gatherer: g}
	rep := d.Run(t)
	rep.Check(t)
	secrettest.AssertNoLeak(t, secrets, logs.String(), string(rep.State))
}

func TestGapFreeBinary(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 52})
	f := newFakeStream(t, src)
	bin := apptest.StartBinary(t, "plugins/app/threatstream", "ts", f.config(nil))
	d := apptest.Driver{Source: src, IDOf: idOf, Polls: 15, Logf: t.Logf, Gatherer: bin}
	rep := d.Run(t)
	rep.Check(t)
	secrettest.AssertNoLeak(t, secrets, bin.Stderr.String())
}

// TestIOCs checks the emitted shape, the source filter and the types
// asked for, and that the state keeps the last update_id.
func TestIOCs(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 1})
	f := newFakeStream(t, src)
	f.still = true
	f.extra = []map[string]any{
		{"update_id": int64(10), "value": "evil.example", "type": "domain", "itype": "c2_domain", "source": "CrowdStrike", "expiration_ts": "2030-01-01T00:00:00.000Z"},
		{"update_id": int64(11), "value": "203.0.113.9", "type": "ip", "itype": "mal_ip", "source": "abuse.ch"},
		{"update_id": int64(12), "value": "203.0.113.10", "type": "ip", "itype": "tor_ip", "source": "CrowdStrike"},
		{"update_id": int64(13), "value": "https://x.example/", "type": "url", "itype": "phish_url", "source": "CrowdStrike"},
		{"update_id": int64(14), "value": strings.Repeat("e", 64), "type": "md5", "itype": "mal_md5", "source": "soc@example.com"},
	}
	app := New()
	cfg := apptest.Config(t, app, f.config(map[string]any{propTypes: []any{"domain", "ip", "md5"}, propFilters: []any{"crowdstrike", "@example.com"}}))
	b, err := poll(t, app, cfg, nil, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range apptest.Logs(b) {
		got = append(got, string(l))
	}
	want := []string{
		`{"ioc_value":"evil.example","ioc_type":"domain","sub_type":"c2_domain","source":"CrowdStrike","expiration_ts":1893456000}`,
		`{"ioc_value":"` + strings.Repeat("e", 64) + `","ioc_type":"sha256","sub_type":"mal_md5","source":"soc@example.com","expiration_ts":`,
	}
	if len(got) != 2 || got[0] != want[0] || !strings.HasPrefix(got[1], want[1]) {
		t.Fatalf("iocs\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var st struct {
		Token string `json:"token"`
	}
	json.Unmarshal(apptest.LastState(nil, b), &st)
	if st.Token != "14" {
		t.Fatalf("state %s, want update_id 14", apptest.LastState(nil, b))
	}
	// A later poll asks only for what changed since.
	f.mu.Lock()
	f.extra = append(f.extra, map[string]any{"update_id": int64(20), "value": "new.example", "type": "domain", "itype": "c2_domain", "source": "CrowdStrike"})
	f.mu.Unlock()
	b, err = poll(t, app, cfg, apptest.LastState(nil, b), time.Minute)
	if err != nil || len(apptest.Logs(b)) != 1 || !strings.Contains(string(apptest.Logs(b)[0]), "new.example") {
		t.Fatalf("second poll: %q, %v", apptest.Logs(b), err)
	}
}

// TestUnauthorized checks refused credentials fail the poll with
// ThreatStream's message and no secret.
func TestUnauthorized(t *testing.T) {
	f := newFakeStream(t, apptest.NewSource(apptest.SourceOptions{Seed: 2}))
	raw := f.config(nil)
	raw[propKey] = "WrongKeyWrongKeyWrongKey0123"
	logs := &apptest.Buffer{}
	app := newLogged(logs)
	_, err := poll(t, app, apptest.Config(t, app, raw), nil, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "HTTP 401: Unauthorized: invalid credentials") {
		t.Fatalf("error %v", err)
	}
	secrettest.AssertNoLeak(t, append(secrets, "WrongKeyWrongKeyWrongKey0123"), err.Error(), logs.String())
}

// TestRateLimit checks a 429 with Retry-After is waited out.
func TestRateLimit(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 3})
	src.Generate(30)
	f := newFakeStream(t, src)
	f.still = true
	f.refuseNext(nil)
	f.refuseNext(func(w http.ResponseWriter) bool {
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "Too Many Requests"})
		return true
	})
	app := New()
	start := time.Now()
	b, err := poll(t, app, apptest.Config(t, app, f.config(nil)), nil, time.Minute)
	if err != nil || len(apptest.Logs(b)) != 30 || time.Since(start) < time.Second {
		t.Fatalf("poll: %d iocs, %v after %v", len(apptest.Logs(b)), err, time.Since(start))
	}
}

// TestOutOfOrder checks an answer not in update_id order fails the poll
// instead of looping.
func TestOutOfOrder(t *testing.T) {
	f := newFakeStream(t, apptest.NewSource(apptest.SourceOptions{Seed: 4}))
	f.still = true
	f.refuseNext(func(w http.ResponseWriter) bool {
		next := "/api/v2/intelligence/?offset=2"
		writeJSON(w, http.StatusOK, map[string]any{"meta": map[string]any{"next": next}, "objects": []any{
			map[string]any{"update_id": 5, "value": "a.example", "type": "domain"},
			map[string]any{"update_id": 4, "value": "b.example", "type": "domain"},
		}})
		return true
	})
	app := New()
	_, err := poll(t, app, apptest.Config(t, app, f.config(nil)), nil, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "not in update_id order") {
		t.Fatalf("error %v", err)
	}
}
