package main

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/plugintest"
)

var secrets = []string{testSKey, testIKey}

func rawConfig(srv *apptest.Server, typ string, extra map[string]any) map[string]any {
	raw := srv.Transport()
	raw["type"], raw["api_hostname"], raw["integration_key"], raw["secret_key"] = typ, testHost, testIKey, testSKey
	raw["request_interval_seconds"] = 0
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

// gather runs one in-process Gather of instance "duo" configured with raw.
func gather(t *testing.T, app *App, raw map[string]any, state []byte, budget time.Duration) ([]saplugin.Batch, error) {
	t.Helper()
	return apptest.Gather(t, app, "duo", apptest.Config(t, app, raw), state, budget)
}

// TestSignatureMatchesDuoDocs signs the example request of Duo's Admin API
// documentation and compares with the signature it shows.
func TestSignatureMatchesDuoDocs(t *testing.T) {
	s := signer{ikey: "DIWJ8X6AEYOR5OMC6TQ1", skey: "Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep"}
	got := s.authorization("Tue, 21 Aug 2012 17:29:18 -0000", "POST", "api-XXXXXXXX.duosecurity.com",
		"/accounts/v1/account/list", url.Values{"username": {"root"}, "realname": {"First Last"}})
	want := "Basic RElXSjhYNkFFWU9SNU9NQzZUUTE6MmQ5N2Q2MTY2MzE5NzgxYjVhM2EwN2FmMzlkMzY2ZjQ5MTIzNGVkYw=="
	if got != want {
		t.Fatalf("Authorization %s, want %s", got, want)
	}
	if got := canonicalParams(url.Values{"b": {"x y/z~"}, "a": {"é"}}); got != "a=%C3%A9&b=x%20y%2Fz~" {
		t.Errorf("canonical params %q", got)
	}
}

func TestConformance(t *testing.T) {
	plugintest.Test(t, saplugin.KindApp, New())
}

func TestConformanceBinary(t *testing.T) {
	apptest.Conformance(t, "plugins/app/duo")
}

func TestValidateConfig(t *testing.T) {
	valid := map[string]any{"type": "duo_auth", "api_hostname": testHost, "integration_key": testIKey, "secret_key": testSKey}
	apptest.CheckConfigs(t, New(), valid, append(secrets, "Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4E"), apptest.ConfigCases{
		{"valid auth", map[string]any{}, ""},
		{"valid admin", map[string]any{"type": "duo_admin"}, ""},
		{"other app type", map[string]any{"type": "duo_telephony"}, "type"},
		{"host not Duo's", map[string]any{"api_hostname": "api-1a2b3c4d.duosecurity.com.evil.example"}, "api_hostname"},
		{"host upper case", map[string]any{"api_hostname": "api-1A2B3C4D.duosecurity.com"}, "api_hostname"},
		{"ikey", map[string]any{"integration_key": "DXWJ8X6AEYOR5OMC6TQ1"}, "integration_key"},
		{"skey short", map[string]any{"secret_key": "Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4E"}, "secret_key"},
		{"interval", map[string]any{"request_interval_seconds": 601}, "request_interval_seconds"},
	})
}

// TestGatherPagesAtSecondBoundaries reads 2500 events spread over a few
// seconds: each page starts at the newest second of the one before, so a
// second cut by the 1000-event limit is read again whole, and nothing is
// repeated or lost.
func TestGatherPagesAtSecondBoundaries(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{LateRatio: 1, Skew: 8 * time.Second, Granularity: time.Second, PerRequest: -1})
	src.Generate(2500)
	fake := newFakeDuo(t, src, "duo_auth")
	srv := apptest.NewServer(t, fake, testHost)
	start := time.Now()
	batches, err := gather(t, newTest(t), rawConfig(srv, "duo_auth", map[string]any{"lookback_minutes": 10, "overlap_seconds": 60}), nil, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, l := range apptest.Logs(batches) {
		id, err := idOf(l)
		if err != nil {
			t.Fatal(err)
		}
		counts[id]++
	}
	if len(counts) != 2500 || len(apptest.Logs(batches)) != 2500 {
		t.Fatalf("%d distinct of %d logs, want 2500 once each", len(counts), len(apptest.Logs(batches)))
	}
	mintimes, _ := fake.seen()
	if want := start.Add(-11 * time.Minute).Unix(); mintimes[0] < want-2 || mintimes[0] > want+2 {
		t.Errorf("first mintime %d, want ≈ %d (lookback + overlap)", mintimes[0], want)
	}
	if len(mintimes) < 3 {
		t.Fatalf("%d requests, want at least 3 pages", len(mintimes))
	}
	for i := 1; i < len(mintimes); i++ {
		if mintimes[i] <= mintimes[i-1] {
			t.Errorf("mintime went %d -> %d", mintimes[i-1], mintimes[i])
		}
	}
}

// TestGatherIdenticalEvents: two identical events of one second are two
// events, and neither comes back on the next poll.
func TestGatherIdenticalEvents(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1, Granularity: time.Second})
	src.Generate(3)
	fake := newFakeDuo(t, src, "duo_admin")
	fake.identical = 1
	srv := apptest.NewServer(t, fake, testHost)
	app := newTest(t)
	raw := rawConfig(srv, "duo_admin", nil)
	batches, err := gather(t, app, raw, nil, 10*time.Second)
	if err != nil || len(apptest.Logs(batches)) != 6 {
		t.Fatalf("%d logs, %v; want 3 events each twice", len(apptest.Logs(batches)), err)
	}
	again, err := gather(t, app, raw, apptest.LastState(nil, batches), 10*time.Second)
	if err != nil || len(apptest.Logs(again)) != 0 {
		t.Fatalf("second poll repeated %d logs, %v", len(apptest.Logs(again)), err)
	}
}

func TestGatherPacesRequests(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1, LateRatio: 1, Skew: 5 * time.Second, Granularity: time.Second})
	src.Generate(2200)
	fake := newFakeDuo(t, src, "duo_auth")
	srv := apptest.NewServer(t, fake, testHost)
	batches, err := gather(t, newTest(t), rawConfig(srv, "duo_auth", map[string]any{"request_interval_seconds": 1}), nil, 20*time.Second)
	if err != nil || len(apptest.Logs(batches)) != 2200 {
		t.Fatalf("%d logs, %v", len(apptest.Logs(batches)), err)
	}
	_, times := fake.seen()
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < 900*time.Millisecond {
			t.Errorf("requests %d and %d %s apart, want the 1s interval", i, i+1, gap)
		}
	}
	// The pause is kept in the state: a poll that follows at once waits.
	if !strings.Contains(string(apptest.LastState(nil, batches)), "not_before") {
		t.Errorf("state %s does not carry the interval", apptest.LastState(nil, batches))
	}
}

func TestGatherRateLimitedAndErrors(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1})
	src.Generate(3)
	fake := newFakeDuo(t, src, "duo_auth")
	fake.rateN = 1
	srv := apptest.NewServer(t, fake, testHost)
	batches, err := gather(t, newTest(t), rawConfig(srv, "duo_auth", map[string]any{"request_interval_seconds": 60}), nil, time.Second)
	if err != nil || len(batches) != 1 || !batches[0].More {
		t.Fatalf("429 beyond the budget: %+v %v", batches, err)
	}

	wrong := "Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Eq"
	srv = apptest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		duoError(w, 401, 40103, "Invalid signature in request credentials")
	}), testHost)
	app := withLog(secrettest.Logger(t, []string{wrong}))
	_, err = gather(t, app, rawConfig(srv, "duo_auth", map[string]any{"secret_key": wrong}), nil, 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), "HTTP 401: 40103: Invalid signature in request credentials") {
		t.Fatalf("err %v", err)
	}
	secrettest.AssertNoLeak(t, []string{wrong, testIKey}, secrettest.Render(err)...)
}

func driver(t *testing.T, seed uint64, typ string, g func(raw map[string]any) apptest.Gatherer) *apptest.Driver {
	src := apptest.NewSource(apptest.SourceOptions{Seed: seed, Granularity: time.Second, Skew: 4 * time.Second, ClockOffset: 3 * time.Second})
	fake := newFakeDuo(t, src, typ)
	fake.rateN, fake.failN = 11, 13
	srv := apptest.NewServer(t, fake, testHost)
	raw := rawConfig(srv, typ, map[string]any{"overlap_seconds": 10, "batch_size": 7})
	return &apptest.Driver{Source: src, Seed: seed, Gatherer: g(raw), IDOf: idOf}
}

func TestNothingMissedOrRepeated(t *testing.T) {
	for i, typ := range []string{"duo_auth", "duo_admin"} {
		d := driver(t, uint64(i+1), typ, func(raw map[string]any) apptest.Gatherer {
			return &apptest.InProcess{New: func() saplugin.App { return newTest(t) }, Instance: typ, Config: apptest.Config(t, New(), raw)}
		})
		rep := d.Run(t)
		rep.Check(t)
		t.Logf("%s: %d events over %d polls, %d crashes, %d batches", typ, rep.Events, rep.Polls, rep.Crashes, rep.Batches)
	}
}

func TestBinaryNothingMissedOrRepeated(t *testing.T) {
	var bin *apptest.Binary
	d := driver(t, 9, "duo_auth", func(raw map[string]any) apptest.Gatherer {
		bin = apptest.StartBinary(t, "plugins/app/duo", "duo-auth", raw)
		return bin
	})
	d.Polls = 15
	rep := d.Run(t)
	rep.Check(t)
	secrettest.AssertNoLeak(t, secrets, append(rep.Texts(), bin.Stderr.String())...)
}

func TestClassify(t *testing.T) {
	for typ, want := range map[string]string{"duo_auth": "duo:authentication", "duo_admin": "duo:administrator"} {
		src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1})
		src.Generate(2)
		srv := apptest.NewServer(t, newFakeDuo(t, src, typ), testHost)
		batches, err := gather(t, newTest(t), rawConfig(srv, typ, nil), nil, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		types := apptest.Classify(t, "prefix_cluster_"+typ+"_sm-app-name_app", nil, apptest.Logs(batches))
		if len(types) != 2 || types[0] != want || types[1] != want {
			t.Errorf("%s: classified as %q, want %s", typ, types, want)
		}
	}
}

// TestLateEvents: an event Duo records late, with a time inside the
// overlap window, is collected by the next poll; one older than the window
// is below mintime, so Duo never returns it: overlap_seconds must cover
// how late Duo records events.
func TestLateEvents(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1, Granularity: time.Second})
	src.Generate(2)
	srv := apptest.NewServer(t, newFakeDuo(t, src, "duo_admin"), testHost)
	app := newTest(t)
	raw := rawConfig(srv, "duo_admin", map[string]any{"overlap_seconds": 300})
	first, err := gather(t, app, raw, nil, 10*time.Second)
	if err != nil || len(apptest.Logs(first)) != 2 {
		t.Fatalf("first poll: %d logs, %v", len(apptest.Logs(first)), err)
	}
	src.GenerateAt(1, time.Now().Add(-4*time.Minute))
	src.GenerateAt(1, time.Now().Add(-20*time.Minute))
	second, err := gather(t, app, raw, apptest.LastState(nil, first), 10*time.Second)
	if err != nil || len(apptest.Logs(second)) != 1 {
		t.Fatalf("second poll: %d logs, %v; want the one inside the overlap", len(apptest.Logs(second)), err)
	}
}
