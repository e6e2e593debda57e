package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/plugintest"
)

var secrets = []string{testToken}

func rawConfig(srv *apptest.Server, typ string, extra map[string]any) map[string]any {
	raw := srv.Transport()
	raw["type"], raw["auth_token"] = typ, testToken
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

// gather runs one in-process Gather of instance "slack" configured with raw.
func gather(t *testing.T, app *App, raw map[string]any, state []byte, budget time.Duration) ([]saplugin.Batch, error) {
	t.Helper()
	return apptest.Gather(t, app, "slack", apptest.Config(t, app, raw), state, budget)
}

// ids maps logs to source ids, failing on repeats.
func ids(t *testing.T, logs [][]byte) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, l := range logs {
		id, err := idOf(l)
		if err != nil {
			t.Fatal(err)
		}
		if out[id] {
			t.Errorf("%s emitted twice", id)
		}
		out[id] = true
	}
	return out
}

func TestConformance(t *testing.T) {
	plugintest.Test(t, saplugin.KindApp, New())
}

func TestConformanceBinary(t *testing.T) {
	apptest.Conformance(t, "plugins/app/slack")
}

func TestValidateConfig(t *testing.T) {
	valid := map[string]any{"type": "slack_access", "auth_token": testToken}
	apptest.CheckConfigs(t, New(), valid, append(secrets, "xoxb-1234-5678-abcdef"), apptest.ConfigCases{
		{"valid access", map[string]any{}, ""},
		{"valid integration", map[string]any{"type": "slack_integration"}, ""},
		{"bot token", map[string]any{"auth_token": "xoxb-1234-5678-abcdef"}, "auth_token"},
		{"page size", map[string]any{"page_size": 1001}, "page_size"},
		{"rescan", map[string]any{"rescan_hours": -1}, "rescan_hours"},
	})
}

// TestLaterPagesAreNotDropped is StreamAlert's "last = now" defect: a walk
// over several pages must emit the older entries of its later pages too,
// and the next poll nothing again.
func TestLaterPagesAreNotDropped(t *testing.T) {
	for _, typ := range []string{"slack_access", "slack_integration"} {
		t.Run(typ, func(t *testing.T) {
			src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1, LateRatio: 1, Skew: 20 * time.Second, Granularity: time.Second})
			src.Generate(95)
			fake := newFakeSlack(t, src, typ)
			srv := apptest.NewServer(t, fake, "slack.com")
			app := newTest(t)
			raw := rawConfig(srv, typ, map[string]any{"page_size": 10})
			batches, err := gather(t, app, raw, nil, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(t, apptest.Logs(batches)); len(got) != 95 {
				t.Fatalf("%d entries, want all 95 of the 10 pages", len(got))
			}
			queries := fake.seen()
			if len(queries) != 10 || queries[9].Get("page") != "10" || queries[0].Get("count") != "10" {
				t.Errorf("queries %v", queries)
			}
			if typ == "slack_access" && (queries[0].Get("before") == "" || queries[9].Get("before") != queries[0].Get("before")) {
				t.Errorf("before not pinned for the walk: %v", queries)
			}
			again, err := gather(t, app, raw, apptest.LastState(nil, batches), 10*time.Second)
			if err != nil || len(apptest.Logs(again)) != 0 {
				t.Fatalf("second poll: %d logs, %v", len(apptest.Logs(again)), err)
			}
		})
	}
}

// TestWalkResumes stops a walk part way by the budget and finishes it in
// the next poll, from the page it reached.
func TestWalkResumes(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1, Granularity: time.Second})
	src.Generate(50)
	fake := newFakeSlack(t, src, "slack_access")
	fake.rateN, fake.retry = 4, "60" // a wait a 2s budget cannot hold
	srv := apptest.NewServer(t, fake, "slack.com")
	app := newTest(t)
	raw := rawConfig(srv, "slack_access", map[string]any{"page_size": 10})
	first, err := gather(t, app, raw, nil, 2*time.Second)
	if err != nil || len(first) == 0 || !first[len(first)-1].More || len(apptest.Logs(first)) != 30 {
		t.Fatalf("first poll: %d logs in %d batches, %v; want 30 and More", len(apptest.Logs(first)), len(first), err)
	}
	var st struct{ Extra walk }
	json.Unmarshal(apptest.LastState(nil, first), &st)
	if st.Extra.Page != 4 {
		t.Fatalf("state %s, want the walk at page 4", apptest.LastState(nil, first))
	}
	fake.mu.Lock()
	fake.rateN = 0
	fake.mu.Unlock()
	// The state holds the vendor's 60s pause; a new state without it
	// stands for a poll after the pause.
	var resumed map[string]any
	json.Unmarshal(apptest.LastState(nil, first), &resumed)
	delete(resumed, "not_before")
	state, _ := json.Marshal(resumed)
	second, err := gather(t, app, raw, state, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(t, append(apptest.Logs(first), apptest.Logs(second)...)); len(got) != 50 {
		t.Fatalf("%d entries over two polls, want 50", len(got))
	}
	if q := fake.seen(); q[4].Get("page") != "4" {
		t.Errorf("second poll began at page %s", q[4].Get("page"))
	}
}

// TestAccessEntryUpdates: an entry Slack updates in place (new date_last
// and count) is emitted again, once, as new activity.
func TestAccessEntryUpdates(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1, Granularity: time.Second})
	src.Generate(3)
	fake := newFakeSlack(t, src, "slack_access")
	srv := apptest.NewServer(t, fake, "slack.com")
	app := newTest(t)
	raw := rawConfig(srv, "slack_access", nil)
	first, err := gather(t, app, raw, nil, 10*time.Second)
	if err != nil || len(apptest.Logs(first)) != 3 {
		t.Fatalf("first poll: %d logs, %v", len(apptest.Logs(first)), err)
	}
	fake.update(src.Visible()[0].ID, time.Now(), 2)
	second, err := gather(t, app, raw, apptest.LastState(nil, first), 10*time.Second)
	if err != nil || len(apptest.Logs(second)) != 1 || !strings.Contains(string(apptest.Logs(second)[0]), `"count":2`) {
		t.Fatalf("second poll: %q, %v", apptest.Logs(second), err)
	}
	third, err := gather(t, app, raw, apptest.LastState(nil, second), 10*time.Second)
	if err != nil || len(apptest.Logs(third)) != 0 {
		t.Fatalf("third poll repeated %q, %v", apptest.Logs(third), err)
	}
}

// TestPastPage100 reads more than 100 pages of access logs by moving
// before to the oldest date_first reached, as Slack advises.
func TestPastPage100(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1, LateRatio: 1, Skew: 50 * time.Second, Granularity: time.Second})
	src.Generate(230)
	fake := newFakeSlack(t, src, "slack_access")
	srv := apptest.NewServer(t, fake, "slack.com")
	batches, err := gather(t, newTest(t), rawConfig(srv, "slack_access", map[string]any{"page_size": 2}), nil, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(t, apptest.Logs(batches)); len(got) != 230 {
		t.Fatalf("%d entries, want 230", len(got))
	}
	for _, q := range fake.seen() {
		if p := q.Get("page"); len(p) > 2 && p != "100" {
			t.Fatalf("asked for page %s", p)
		}
	}
}

func TestIntegrationLogOldestFirst(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1, LateRatio: 1, Skew: 20 * time.Second, Granularity: time.Second})
	src.Generate(25)
	fake := newFakeSlack(t, src, "slack_integration")
	fake.ascending = true
	srv := apptest.NewServer(t, fake, "slack.com")
	batches, err := gather(t, newTest(t), rawConfig(srv, "slack_integration", map[string]any{"page_size": 10}), nil, 10*time.Second)
	if err != nil || len(ids(t, apptest.Logs(batches))) != 25 {
		t.Fatalf("%d logs, %v", len(apptest.Logs(batches)), err)
	}
}

func TestSlackErrors(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1})
	srv := apptest.NewServer(t, newFakeSlack(t, src, "slack_access"), "slack.com")
	wrong := "xoxp-9999999999-8888888888-wrong-token-abcdef"
	app := withLog(secrettest.Logger(t, []string{wrong}))
	_, err := gather(t, app, rawConfig(srv, "slack_access", map[string]any{"auth_token": wrong}), nil, 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), `team.accessLogs: Slack answered error "invalid_auth"`) {
		t.Fatalf("err %v", err)
	}
	secrettest.AssertNoLeak(t, []string{wrong}, secrettest.Render(err)...)
}

func driver(t *testing.T, seed uint64, typ string, g func(raw map[string]any) apptest.Gatherer) *apptest.Driver {
	src := apptest.NewSource(apptest.SourceOptions{Seed: seed, Granularity: time.Second, Skew: 4 * time.Second,
		ClockOffset: 2 * time.Second, PerRequest: 1})
	fake := newFakeSlack(t, src, typ)
	fake.rateN, fake.failN = 29, 31
	srv := apptest.NewServer(t, fake, "slack.com")
	// rescan_hours 0: with the default a walk reads the whole test log every poll.
	raw := rawConfig(srv, typ, map[string]any{"overlap_seconds": 10, "page_size": 20, "batch_size": 7, "rescan_hours": 0})
	return &apptest.Driver{Source: src, Seed: seed, Gatherer: g(raw), IDOf: idOf, Logf: t.Logf}
}

func TestNothingMissedOrRepeated(t *testing.T) {
	for i, typ := range []string{"slack_access", "slack_integration"} {
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
	d := driver(t, 5, "slack_integration", func(raw map[string]any) apptest.Gatherer {
		bin = apptest.StartBinary(t, "plugins/app/slack", "slack-integration", raw)
		return bin
	})
	d.Polls = 15
	rep := d.Run(t)
	rep.Check(t)
	secrettest.AssertNoLeak(t, secrets, append(rep.Texts(), bin.Stderr.String())...)
}

func TestClassify(t *testing.T) {
	for typ, want := range map[string]string{"slack_access": "slack:access", "slack_integration": "slack:integration"} {
		src := apptest.NewSource(apptest.SourceOptions{PerRequest: -1})
		src.Generate(2)
		srv := apptest.NewServer(t, newFakeSlack(t, src, typ), "slack.com")
		batches, err := gather(t, newTest(t), rawConfig(srv, typ, nil), nil, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		types := apptest.Classify(t, fmt.Sprintf("prefix_cluster_%s_sm-app-name_app", typ), nil, apptest.Logs(batches))
		if len(types) != 2 || types[0] != want || types[1] != want {
			t.Errorf("%s: classified as %q, want %s", typ, types, want)
		}
	}
}
