package main

import (
	"context"
	"encoding/json"
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

var secrets = []string{testToken}

// rawConfig is an instance configuration reaching srv.
func rawConfig(srv *apptest.Server, extra map[string]any) map[string]any {
	raw := srv.Transport()
	raw["type"], raw["hostname"], raw["api_token"] = "okta_logevents", testOrg, testToken
	for k, v := range extra {
		raw[k] = v
	}
	return raw
}

// newTest returns an app whose log is checked for secrets.
// withLog returns an app logging to log.
func withLog(log *slog.Logger) *App {
	a := New()
	a.Spec.Logger = log
	return a
}

func newTest(t *testing.T) *App {
	return withLog(secrettest.Logger(t, secrets))
}

// gather runs one poll and returns its batches.
func gather(t *testing.T, app *App, raw map[string]any, state []byte, budget time.Duration) ([]saplugin.Batch, error) {
	t.Helper()
	var out []saplugin.Batch
	cfg := apptest.Config(t, app, raw)
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	err := app.Gather(ctx, saplugin.GatherRequest{Instance: "okta", Config: cfg, State: state, Budget: budget},
		func(b saplugin.Batch) error { out = append(out, b); return nil })
	return out, err
}

func TestConformance(t *testing.T) {
	plugintest.Test(t, saplugin.KindApp, New())
}

func TestConformanceBinary(t *testing.T) {
	apptest.Conformance(t, "plugins/app/okta")
}

func TestValidateConfig(t *testing.T) {
	valid := map[string]any{"type": "okta_logevents", "hostname": testOrg, "api_token": testToken}
	apptest.CheckConfigs(t, New(), valid, append(secrets, "00SeCrEt ToKeN_0123456789abcdefXYZ"), apptest.ConfigCases{
		{"valid", map[string]any{}, ""},
		{"preview org", map[string]any{"hostname": "acme-test.oktapreview.com"}, ""},
		{"other domain", map[string]any{"hostname": "acme.okta.com.evil.example"}, "hostname"},
		{"url not host", map[string]any{"hostname": "https://acme.okta.com"}, "hostname"},
		{"short token", map[string]any{"api_token": "abc"}, "api_token"},
		{"token with space", map[string]any{"api_token": "00SeCrEt ToKeN_0123456789abcdefXYZ"}, "api_token"},
		{"page size", map[string]any{"page_size": 1001}, "page_size"},
		{"type", map[string]any{"type": "okta_events"}, "type"},
	})
}

// TestGatherAsDocumented checks the requests of a first and a second poll:
// a polling query from the lookback with SSWS auth, pages through the next
// link, and the next poll resuming from the stored after cursor.
func TestGatherAsDocumented(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1})
	src.Generate(5)
	fake := newFakeOkta(t, src)
	srv := apptest.NewServer(t, fake, testOrg)
	app := newTest(t)
	raw := rawConfig(srv, map[string]any{"page_size": 2, "lookback_minutes": 30, "overlap_seconds": 60})
	start := time.Now()
	batches, err := gather(t, app, raw, nil, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(apptest.Logs(batches)); n != 5 {
		t.Fatalf("%d logs, want 5", n)
	}
	queries, reqs := fake.requests()
	if len(queries) != 3 {
		t.Fatalf("%d requests for 5 events in pages of 2, want 3", len(queries))
	}
	since, err := time.Parse(time.RFC3339, queries[0].Get("since"))
	wantSince := start.Add(-31 * time.Minute)
	if err != nil || since.Before(wantSince.Add(-2*time.Second)) || since.After(wantSince.Add(2*time.Second)) ||
		queries[0].Get("limit") != "2" || queries[0].Has("after") || queries[0].Has("until") {
		t.Errorf("first query %v, want since ≈ %v (lookback + overlap), limit 2, no after/until", queries[0], wantSince)
	}
	if !strings.HasSuffix(queries[0].Get("since"), "Z") || len(queries[0].Get("since")) != len("2006-01-02T15:04:05.000Z") {
		t.Errorf("since %q not ISO 8601 UTC with milliseconds", queries[0].Get("since"))
	}
	if queries[1].Get("after") == "" || queries[1].Get("since") != queries[0].Get("since") {
		t.Errorf("second request %v does not follow the next link", queries[1])
	}
	if ua := reqs[0].UserAgent(); ua != "sa-app-okta/"+version {
		t.Errorf("User-Agent %q", ua)
	}
	var st struct{ Token string }
	state := apptest.LastState(nil, batches)
	if err := json.Unmarshal(state, &st); err != nil || !strings.Contains(st.Token, "after=") {
		t.Fatalf("state %s does not keep the after cursor", state)
	}

	src.Generate(1)
	batches, err = gather(t, app, raw, state, 10*time.Second)
	if err != nil || len(apptest.Logs(batches)) != 1 {
		t.Fatalf("second poll: %d logs, %v", len(apptest.Logs(batches)), err)
	}
	queries, _ = fake.requests()
	if q := queries[3]; q.Get("after") == "" {
		t.Errorf("second poll started with %v, not the stored cursor", q)
	}
}

// TestGatherCursorRefused: a stored after cursor Okta no longer accepts
// falls back to the overlap window, and the ids keep it from repeating.
func TestGatherCursorRefused(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1})
	src.Generate(3)
	fake := newFakeOkta(t, src)
	srv := apptest.NewServer(t, fake, testOrg)
	app := newTest(t)
	raw := rawConfig(srv, nil)
	batches, err := gather(t, app, raw, nil, 10*time.Second)
	if err != nil || len(apptest.Logs(batches)) != 3 {
		t.Fatalf("first poll: %d logs, %v", len(apptest.Logs(batches)), err)
	}
	fake.mu.Lock()
	fake.badAfter = true
	fake.mu.Unlock()
	src.Generate(2)
	batches, err = gather(t, app, raw, apptest.LastState(nil, batches), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(apptest.Logs(batches)); n != 2 {
		t.Fatalf("after the fallback %d logs, want only the 2 new ones", n)
	}
}

func TestGatherRateLimit(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1})
	src.Generate(4)
	fake := newFakeOkta(t, src)
	fake.rateN, fake.rateWait = 2, time.Second
	srv := apptest.NewServer(t, fake, testOrg)
	batches, err := gather(t, newTest(t), rawConfig(srv, map[string]any{"page_size": 2}), nil, 10*time.Second)
	if err != nil || len(apptest.Logs(batches)) != 4 || batches[len(batches)-1].More {
		t.Fatalf("rate limited within the budget: %d logs, %v", len(apptest.Logs(batches)), err)
	}

	// A reset beyond the budget ends the poll with More, keeping the wait.
	fake.rateN, fake.rateWait = 1, time.Hour
	batches, err = gather(t, newTest(t), rawConfig(srv, nil), nil, 500*time.Millisecond)
	if err != nil || len(batches) != 1 || !batches[0].More || !strings.Contains(string(batches[0].State), "not_before") {
		t.Fatalf("rate limited beyond the budget: %+v, %v", batches, err)
	}
}

func TestGatherErrorsNeverLeak(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1})
	srv := apptest.NewServer(t, newFakeOkta(t, src), testOrg)
	wrong := "00WrOnG-ToKeN_0123456789abcdefXYZ"
	app := withLog(secrettest.Logger(t, []string{wrong}))
	_, err := gather(t, app, rawConfig(srv, map[string]any{"api_token": wrong}), nil, 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), "HTTP 401: E0000011: Invalid token provided") {
		t.Fatalf("err %v", err)
	}
	secrettest.AssertNoLeak(t, []string{wrong}, secrettest.Render(err)...)

	// A next link to another host is not followed.
	evil := apptest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", `<https://collector.evil.example/api/v1/logs?after=1>; rel="next"`)
		w.Write([]byte("[]"))
	}), testOrg)
	_, err = gather(t, newTest(t), rawConfig(evil, nil), nil, 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), "another host") {
		t.Fatalf("foreign next link: %v", err)
	}
}

// driver polls an instance while events arrive late and the vendor rate
// limits and fails now and then.
func driver(t *testing.T, seed uint64, g func(raw map[string]any) apptest.Gatherer) *apptest.Driver {
	src := apptest.NewSource(apptest.SourceOptions{Seed: seed, ClockOffset: -2 * time.Second, Skew: 3 * time.Second})
	fake := newFakeOkta(t, src)
	fake.rateN, fake.rateWait, fake.failN = 13, time.Second, 17
	srv := apptest.NewServer(t, fake, testOrg)
	raw := rawConfig(srv, map[string]any{"page_size": 7, "overlap_seconds": 10, "batch_size": 5})
	return &apptest.Driver{Source: src, Seed: seed, Gatherer: g(raw), IDOf: idOf}
}

func TestNothingMissedOrRepeated(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		d := driver(t, seed, func(raw map[string]any) apptest.Gatherer {
			return &apptest.InProcess{New: func() saplugin.App { return newTest(t) }, Instance: "okta", Config: apptest.Config(t, New(), raw)}
		})
		rep := d.Run(t)
		rep.Check(t)
		t.Logf("seed %d: %d events over %d polls, %d crashes, %d batches", seed, rep.Events, rep.Polls, rep.Crashes, rep.Batches)
	}
}

func TestBinaryNothingMissedOrRepeated(t *testing.T) {
	var bin *apptest.Binary
	d := driver(t, 3, func(raw map[string]any) apptest.Gatherer {
		bin = apptest.StartBinary(t, "plugins/app/okta", "okta-prod", raw)
		return bin
	})
	d.Polls = 15
	rep := d.Run(t)
	rep.Check(t)
	secrettest.AssertNoLeak(t, secrets, append(rep.Texts(), bin.Stderr.String())...)
	if !strings.Contains(bin.Stderr.String(), "poll done") {
		t.Errorf("the plugin logged no poll: %s", bin.Stderr.String())
	}
}

func TestClassify(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1})
	src.Generate(2)
	srv := apptest.NewServer(t, newFakeOkta(t, src), testOrg)
	batches, err := gather(t, newTest(t), rawConfig(srv, nil), nil, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	logs := apptest.Logs(batches)
	types := apptest.Classify(t, "prefix_cluster_okta_logevents-app-name_app", nil, logs)
	if len(types) != 2 || types[0] != "okta:logevents" || types[1] != "okta:logevents" {
		t.Fatalf("classified as %q, want okta:logevents", types)
	}
}

// TestVeryLateEventsFollowTheCursor: Okta's polling cursor follows storage
// order, so an event stored now with a published time an hour old is
// still collected once, though it is far below the overlap window.
func TestVeryLateEventsFollowTheCursor(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1})
	src.Generate(3)
	srv := apptest.NewServer(t, newFakeOkta(t, src), testOrg)
	app := newTest(t)
	raw := rawConfig(srv, map[string]any{"overlap_seconds": 60})
	first, err := gather(t, app, raw, nil, 10*time.Second)
	if err != nil || len(apptest.Logs(first)) != 3 {
		t.Fatalf("first poll: %d logs, %v", len(apptest.Logs(first)), err)
	}
	src.GenerateAt(2, time.Now().Add(-time.Hour))
	second, err := gather(t, app, raw, apptest.LastState(nil, first), 10*time.Second)
	if err != nil || len(apptest.Logs(second)) != 2 {
		t.Fatalf("second poll: %d logs, %v; want the 2 late events", len(apptest.Logs(second)), err)
	}
	third, err := gather(t, app, raw, apptest.LastState(nil, second), 10*time.Second)
	if err != nil || len(apptest.Logs(third)) != 0 {
		t.Fatalf("third poll repeated %d logs, %v", len(apptest.Logs(third)), err)
	}
}
