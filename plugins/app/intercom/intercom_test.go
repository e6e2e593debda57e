package main

import (
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

func rawConfig(srv *apptest.Server, extra map[string]any) map[string]any {
	raw := srv.Transport()
	raw["type"], raw["token"] = "intercom_admin_activity_logs", testToken
	for k, v := range extra {
		raw[k] = v
	}
	return raw
}

// withLog returns an app logging to log.
func withLog(log *slog.Logger) *App {
	a := New()
	a.Spec.Logger = log
	return a
}

func newTest(t *testing.T) *App {
	return withLog(secrettest.Logger(t, secrets))
}

// gather runs one in-process Gather of instance "intercom" configured with raw.
func gather(t *testing.T, app *App, raw map[string]any, state []byte, budget time.Duration) ([]saplugin.Batch, error) {
	t.Helper()
	return apptest.Gather(t, app, "intercom", apptest.Config(t, app, raw), state, budget)
}

func TestConformance(t *testing.T) {
	plugintest.Test(t, saplugin.KindApp, New())
}

func TestConformanceBinary(t *testing.T) {
	apptest.Conformance(t, "plugins/app/intercom")
}

func TestValidateConfig(t *testing.T) {
	valid := map[string]any{"type": "intercom_admin_activity_logs", "token": testToken}
	apptest.CheckConfigs(t, New(), valid, secrets, apptest.ConfigCases{
		{"valid", map[string]any{}, ""},
		{"eu", map[string]any{"region": "eu", "api_version": "2.11"}, ""},
		{"token not Intercom's", map[string]any{"token": "Bearer abc"}, "token"},
		{"region", map[string]any{"region": "ca"}, "region"},
		{"version", map[string]any{"api_version": "latest"}, "api_version"},
	})
}

// TestGatherAsDocumented: a window from the lookback to now, walked with
// pages.next cursors and the documented headers, the bound moved to the
// window's end, and the next window starting an overlap below it.
func TestGatherAsDocumented(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		// The vendor's clock runs 2s behind, so every event is before the
		// window's end, which the fake excludes.
		src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1, LateRatio: 1, Skew: 30 * time.Second, Granularity: time.Second,
			ClockOffset: -2 * time.Second})
		src.Generate(45)
		fake := newFakeIntercom(t, src)
		fake.legacy = legacy
		srv := apptest.NewServer(t, fake, "api.intercom.io")
		app := newTest(t)
		raw := rawConfig(srv, map[string]any{"lookback_minutes": 5, "overlap_seconds": 60})
		start := time.Now()
		batches, err := gather(t, app, raw, nil, 10*time.Second)
		if err != nil || len(apptest.Logs(batches)) != 45 {
			t.Fatalf("legacy %v: %d logs, %v", legacy, len(apptest.Logs(batches)), err)
		}
		queries, headers := fake.seen()
		if len(queries) != 3 || queries[1].Get("starting_after") == "" || queries[2].Get("created_at_before") != queries[0].Get("created_at_before") {
			t.Fatalf("legacy %v: queries %v", legacy, queries)
		}
		after, _ := time.Parse(time.RFC3339, "1970-01-01T00:00:00Z")
		if a := queries[0].Get("created_at_after"); a == "" {
			t.Fatal("no created_at_after")
		} else if sec := mustInt(t, a); after.Add(time.Duration(sec)*time.Second).Sub(start.Add(-6*time.Minute)).Abs() > 3*time.Second {
			t.Errorf("created_at_after %s, want ≈ lookback + overlap ago", a)
		}
		if headers[0].Get("Intercom-Version") != "2.14" || headers[0].Get("User-Agent") != "sa-app-intercom/"+version {
			t.Errorf("headers %v", headers[0])
		}
		var st struct {
			Bound string
			Extra json.RawMessage
			Token string
		}
		json.Unmarshal(apptest.LastState(nil, batches), &st)
		if st.Extra != nil || st.Token != "" {
			t.Errorf("finished window left %s", apptest.LastState(nil, batches))
		}
		again, err := gather(t, app, raw, apptest.LastState(nil, batches), 10*time.Second)
		if err != nil || len(apptest.Logs(again)) != 0 {
			t.Fatalf("second poll: %d logs, %v", len(apptest.Logs(again)), err)
		}
		queries, _ = fake.seen()
		if next := mustInt(t, queries[3].Get("created_at_after")); next != mustInt(t, queries[0].Get("created_at_before"))-61 {
			t.Errorf("second window after %d, want the first's end minus the overlap and a second", next)
		}
	}
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if err := json.Unmarshal([]byte(s), &n); err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return n
}

func TestGatherRateLimitAndErrors(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1, ClockOffset: -2 * time.Second})
	src.Generate(50)
	fake := newFakeIntercom(t, src)
	fake.rateN = 2
	srv := apptest.NewServer(t, fake, "api.intercom.io")
	start := time.Now()
	batches, err := gather(t, newTest(t), rawConfig(srv, nil), nil, 10*time.Second)
	if err != nil || len(apptest.Logs(batches)) != 50 || time.Since(start) < time.Second {
		t.Fatalf("%d logs in %s, %v; want all after the reset", len(apptest.Logs(batches)), time.Since(start), err)
	}

	wrong := "dG9rOndyb25nLXRva2VuLWFiY2RlZjAxMjM0NTY3ODk="
	app := withLog(secrettest.Logger(t, []string{wrong}))
	_, err = gather(t, app, rawConfig(srv, map[string]any{"token": wrong}), nil, 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), "HTTP 401: unauthorized: Access Token Invalid") {
		t.Fatalf("err %v", err)
	}
	secrettest.AssertNoLeak(t, []string{wrong}, secrettest.Render(err)...)

	evil := apptest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"type":"activity_log.list","pages":{"next":"https://collector.evil.example/admins/activity_logs?page=2"},"activity_logs":[]}`))
	}), "api.intercom.io")
	_, err = gather(t, newTest(t), rawConfig(evil, nil), nil, 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), "another host") {
		t.Fatalf("foreign next link: %v", err)
	}
}

func driver(t *testing.T, seed uint64, g func(raw map[string]any) apptest.Gatherer) *apptest.Driver {
	src := apptest.NewSource(apptest.SourceOptions{Seed: seed, Granularity: time.Second, Skew: 4 * time.Second,
		ClockOffset: -3 * time.Second, PerRequest: 2})
	fake := newFakeIntercom(t, src)
	fake.perPage, fake.rateN, fake.failN = 15, 23, 19
	srv := apptest.NewServer(t, fake, "api.intercom.io")
	raw := rawConfig(srv, map[string]any{"overlap_seconds": 10, "batch_size": 6})
	return &apptest.Driver{Source: src, Seed: seed, Gatherer: g(raw), IDOf: idOf}
}

func TestNothingMissedOrRepeated(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		d := driver(t, seed, func(raw map[string]any) apptest.Gatherer {
			return &apptest.InProcess{New: func() saplugin.App { return newTest(t) }, Instance: "intercom", Config: apptest.Config(t, New(), raw)}
		})
		rep := d.Run(t)
		rep.Check(t)
		t.Logf("seed %d: %d events over %d polls, %d crashes, %d batches", seed, rep.Events, rep.Polls, rep.Crashes, rep.Batches)
	}
}

func TestBinaryNothingMissedOrRepeated(t *testing.T) {
	var bin *apptest.Binary
	d := driver(t, 4, func(raw map[string]any) apptest.Gatherer {
		bin = apptest.StartBinary(t, "plugins/app/intercom", "intercom", raw)
		return bin
	})
	d.Polls = 15
	rep := d.Run(t)
	rep.Check(t)
	secrettest.AssertNoLeak(t, secrets, append(rep.Texts(), bin.Stderr.String())...)
}

// intercomSchema and intercomCluster are what a conf needs for these logs,
// which StreamAlert's conf does not ship: the activity log object as
// Intercom documents it, from the streamalert_app source of an instance.
const (
	intercomSchema = `{"intercom:admin_activity_logs": {"parser": "json", "schema": {
		"id": "string", "performed_by": {}, "metadata": {}, "created_at": "integer",
		"activity_type": "string", "activity_description": "string"}}}`
	intercomCluster = `{"id": "apps", "data_sources": {"streamalert_app": {
		"prefix_apps_intercom_admin_activity_logs_sm-app-name_app": ["intercom"]}}}`
)

func TestClassify(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1, ClockOffset: -2 * time.Second})
	src.Generate(2)
	srv := apptest.NewServer(t, newFakeIntercom(t, src), "api.intercom.io")
	batches, err := gather(t, newTest(t), rawConfig(srv, nil), nil, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	types := apptest.Classify(t, "prefix_apps_intercom_admin_activity_logs_sm-app-name_app",
		map[string]string{"schemas/intercom.json": intercomSchema, "clusters/apps.json": intercomCluster}, apptest.Logs(batches))
	if len(types) != 2 || types[0] != "intercom:admin_activity_logs" || types[1] != "intercom:admin_activity_logs" {
		t.Fatalf("classified as %q", types)
	}
}
