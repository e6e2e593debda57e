package main

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/plugintest"
)

var secrets = []string{testID, testSecret}

func rawConfig(srv *apptest.Server, extra map[string]any) map[string]any {
	raw := srv.Transport()
	raw["type"], raw["region"], raw["client_id"], raw["client_secret"] = "onelogin_events", "us", testID, testSecret
	for k, v := range extra {
		raw[k] = v
	}
	return raw
}

// newTest returns an app whose log is checked, when the test ends, for the
// credentials and every access token the fake issued.
// withLog returns an app logging to log.
func withLog(log *slog.Logger) *App {
	a := New()
	a.Spec.Logger = log
	return a
}

func newTest(t *testing.T, fake *fakeOneLogin) *App {
	w := &apptest.Buffer{}
	t.Cleanup(func() {
		_, issued := fake.seen()
		secrettest.AssertNoLeak(t, append(secrets, issued...), w.String())
	})
	return withLog(apptest.DebugLogger(w))
}

// gather runs one in-process Gather of instance "onelogin" configured with raw.
func gather(t *testing.T, app *App, raw map[string]any, state []byte, budget time.Duration) ([]saplugin.Batch, error) {
	t.Helper()
	return apptest.Gather(t, app, "onelogin", apptest.Config(t, app, raw), state, budget)
}

func TestConformance(t *testing.T) {
	plugintest.Test(t, saplugin.KindApp, New())
}

func TestConformanceBinary(t *testing.T) {
	apptest.Conformance(t, "plugins/app/onelogin")
}

func TestValidateConfig(t *testing.T) {
	valid := map[string]any{"type": "onelogin_events", "region": "us", "client_id": testID, "client_secret": testSecret}
	apptest.CheckConfigs(t, New(), valid, append(secrets, strings.ToUpper(testID)), apptest.ConfigCases{
		{"valid", map[string]any{}, ""},
		{"eu", map[string]any{"region": "eu"}, ""},
		{"unknown region", map[string]any{"region": "ap"}, "region"},
		{"upper-case id", map[string]any{"client_id": strings.ToUpper(testID)}, "client_id"},
		{"short secret", map[string]any{"client_secret": testSecret[:63]}, "client_secret"},
	})
}

// TestGatherAsDocumented: a token from the client credentials, events
// since the lookback sorted by id 50 at a time through next_link, the
// link kept as the position, and a renewed token on 401.
func TestGatherAsDocumented(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1})
	src.Generate(120)
	fake := newFakeOneLogin(t, src)
	fake.tokenUses = 2
	srv := apptest.NewServer(t, fake, testHost)
	start := time.Now()
	batches, err := gather(t, newTest(t, fake), rawConfig(srv, map[string]any{"lookback_minutes": 10, "overlap_seconds": 60}), nil, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(apptest.Logs(batches)); n != 120 {
		t.Fatalf("%d logs, want 120", n)
	}
	queries, issued := fake.seen()
	if len(queries) != 3 || len(issued) != 2 {
		t.Fatalf("%d event requests with %d tokens, want 3 pages and one renewal", len(queries), len(issued))
	}
	since, err := time.Parse(time.RFC3339, queries[0].Get("since"))
	if want := start.Add(-11*time.Minute - time.Second); err != nil || since.Sub(want).Abs() > 2*time.Second {
		t.Errorf("since %s, want ≈ %v", queries[0].Get("since"), want)
	}
	if queries[0].Get("sort") != "+id" || queries[0].Get("limit") != "50" || queries[1].Get("after_cursor") == "" {
		t.Errorf("queries %v", queries)
	}
	// Nothing new: the next poll emits nothing.
	again, err := gather(t, newTest(t, fake), rawConfig(srv, map[string]any{"lookback_minutes": 10, "overlap_seconds": 60}),
		batches[len(batches)-1].State, 10*time.Second)
	if err != nil || len(apptest.Logs(again)) != 0 {
		t.Fatalf("second poll: %d logs, %v", len(apptest.Logs(again)), err)
	}
}

func TestGatherRateLimitExceeded(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1})
	src.Generate(60)
	fake := newFakeOneLogin(t, src)
	fake.rateN = 2
	srv := apptest.NewServer(t, fake, testHost)
	start := time.Now()
	batches, err := gather(t, newTest(t, fake), rawConfig(srv, nil), nil, 10*time.Second)
	if err != nil || len(apptest.Logs(batches)) != 60 {
		t.Fatalf("%d logs, %v", len(apptest.Logs(batches)), err)
	}
	if time.Since(start) < time.Second {
		t.Errorf("done in %s: the 1s reset from /auth/rate_limit was not waited for", time.Since(start))
	}
	// A reset beyond the budget ends the poll with More.
	batches, err = gather(t, newTest(t, fake), rawConfig(srv, nil), nil, 600*time.Millisecond)
	if err != nil || !batches[len(batches)-1].More {
		t.Fatalf("short budget: %+v %v", batches, err)
	}
}

func TestGatherBadCredentials(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1})
	fake := newFakeOneLogin(t, src)
	srv := apptest.NewServer(t, fake, testHost)
	wrong := strings.Repeat("0", 64)
	_, err := gather(t, newTest(t, fake), rawConfig(srv, map[string]any{"client_secret": wrong}), nil, 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), "HTTP 401: Authentication Failure") {
		t.Fatalf("err %v", err)
	}
	secrettest.AssertNoLeak(t, append(secrets, wrong), secrettest.Render(err)...)

	evil := apptest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == tokenPath {
			w.Write([]byte(`{"access_token":"abcdef0123456789","token_type":"bearer"}`))
			return
		}
		w.Write([]byte(`{"pagination":{"next_link":"https://api.us.onelogin.com.evil.example/api/1/events?x=1"},"data":[]}`))
	}), testHost)
	_, err = gather(t, newTest(t, fake), rawConfig(evil, nil), nil, 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), "another host") {
		t.Fatalf("foreign next link: %v", err)
	}
}

func driver(t *testing.T, seed uint64, g func(raw map[string]any) apptest.Gatherer) (*apptest.Driver, *fakeOneLogin) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: seed, Skew: 3 * time.Second, ClockOffset: -time.Second})
	fake := newFakeOneLogin(t, src)
	fake.rateN, fake.failN, fake.tokenUses = 17, 13, 9
	srv := apptest.NewServer(t, fake, testHost)
	raw := rawConfig(srv, map[string]any{"overlap_seconds": 10, "batch_size": 9})
	return &apptest.Driver{Source: src, Seed: seed, Gatherer: g(raw), IDOf: idOf}, fake
}

func TestNothingMissedOrRepeated(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		var fake *fakeOneLogin
		d, fake := driver(t, seed, func(raw map[string]any) apptest.Gatherer {
			return &apptest.InProcess{New: func() saplugin.App { return newTest(t, fake) }, Instance: "onelogin", Config: apptest.Config(t, New(), raw)}
		})
		rep := d.Run(t)
		rep.Check(t)
		t.Logf("seed %d: %d events over %d polls, %d crashes, %d batches", seed, rep.Events, rep.Polls, rep.Crashes, rep.Batches)
	}
}

func TestBinaryNothingMissedOrRepeated(t *testing.T) {
	var bin *apptest.Binary
	d, fake := driver(t, 7, func(raw map[string]any) apptest.Gatherer {
		bin = apptest.StartBinary(t, "plugins/app/onelogin", "onelogin", raw)
		return bin
	})
	d.Polls = 15
	rep := d.Run(t)
	rep.Check(t)
	_, issued := fake.seen()
	secrettest.AssertNoLeak(t, append(secrets, issued...), append(rep.Texts(), bin.Stderr.String())...)
}

func TestClassify(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1})
	src.Generate(2)
	fake := newFakeOneLogin(t, src)
	srv := apptest.NewServer(t, fake, testHost)
	batches, err := gather(t, newTest(t, fake), rawConfig(srv, nil), nil, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	types := apptest.Classify(t, "prefix_cluster_onelogin-events-app-name_app", nil, apptest.Logs(batches))
	if len(types) != 2 || types[0] != "onelogin:events" || types[1] != "onelogin:events" {
		t.Fatalf("classified as %q, want onelogin:events", types)
	}
}
