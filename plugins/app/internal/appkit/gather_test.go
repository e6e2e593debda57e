package appkit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// toy is a minimal app over a vendor whose GET /events?since=T&limit=N
// returns the events at or after T, oldest first: the shape of Duo's logs.
// It pages by moving since to the last time of a page, so it relies on no
// more than limit events sharing one instant.
type toy struct {
	limit int
	// careless skips the cursor's de-duplication, to prove the driver
	// notices.
	careless bool
}

var toySchema = schema.Schema{Properties: append([]schema.Property{appkit.TypeProperty("toy_events"),
	{Name: "token", Required: true, Secret: true, Credential: true, Example: "tok-123456"}},
	appkit.Properties(appkit.Defaults{Overlap: 10 * time.Second})...)}

type toyEvent struct {
	ID   string `json:"id"`
	Time string `json:"time"`
}

func (*toy) Info() saplugin.Info   { return saplugin.Info{Name: "toy", Version: "1.0.0"} }
func (*toy) Schema() schema.Schema { return toySchema }
func (*toy) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, p := appkit.ParseSettings(cfg)
	return p
}

func (a *toy) Gather(ctx context.Context, req saplugin.GatherRequest, emit func(saplugin.Batch) error) error {
	spec := appkit.Spec{Name: "toy", Version: "1.0.0", Schema: toySchema}
	return appkit.Gather(ctx, req, emit, spec, func(p *appkit.Poll) (bool, error) {
		since := p.Cursor.Start()
		for {
			q := url.Values{"since": {since.Format(time.RFC3339Nano)}, "limit": {strconv.Itoa(a.limit)}}
			resp, err := p.Client.Do(p.Ctx, appkit.Request{Method: "GET", URL: "https://api.toy.example/events?" + q.Encode(),
				Header: http.Header{"Authorization": {"Bearer " + p.Config.String("token")}}})
			if err != nil {
				return false, err
			}
			var page []json.RawMessage
			if err := resp.JSON(&page); err != nil {
				return false, err
			}
			events := make([]appkit.Event, len(page))
			for i, raw := range page {
				var e toyEvent
				json.Unmarshal(raw, &e)
				at, _ := time.Parse(time.RFC3339Nano, e.Time)
				events[i] = appkit.Event{ID: e.ID, Time: at, Raw: raw}
				since = at
			}
			if err := a.emit(p, events); err != nil {
				return false, err
			}
			if len(events) > 0 {
				p.Cursor.Advance(since)
			}
			if len(page) < a.limit {
				return false, nil
			}
			if !p.Budget.Another() {
				return true, nil
			}
		}
	})
}

func (a *toy) emit(p *appkit.Poll, events []appkit.Event) error {
	if !a.careless {
		return p.Emit(events)
	}
	for _, e := range events {
		if err := p.Batcher().Add(e.Raw); err != nil {
			return err
		}
	}
	return nil
}

// toyVendor serves src the way the toy expects.
func toyVendor(t *testing.T, src *apptest.Source, failures *atomic.Int32) *apptest.Server {
	return apptest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		src.Tick()
		if r.Header.Get("Authorization") != "Bearer tok-123456" {
			t.Errorf("authorization %q", r.Header.Get("Authorization"))
			w.WriteHeader(401)
			return
		}
		if failures != nil && failures.Add(1)%20 == 0 {
			w.WriteHeader(503) // an outage now and then, retried by the client
			return
		}
		since, err := time.Parse(time.RFC3339Nano, r.URL.Query().Get("since"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		if err != nil || limit < 1 {
			t.Errorf("bad query %s", r.URL.RawQuery)
			w.WriteHeader(400)
			return
		}
		page := []toyEvent{}
		for _, e := range apptest.ByTime(src.Visible()) {
			if !e.Time.Before(since) && len(page) < limit {
				page = append(page, toyEvent{ID: e.ID, Time: e.Time.Format(time.RFC3339Nano)})
			}
		}
		json.NewEncoder(w).Encode(page)
	}), "api.toy.example")
}

func toyConfig(t *testing.T, srv *apptest.Server) schema.Config {
	raw := srv.Transport()
	raw["type"], raw["token"] = "toy_events", "tok-123456"
	return apptest.Config(t, &toy{}, raw)
}

// toyDriver returns a driver polling app over a fresh source and vendor.
func toyDriver(t *testing.T, seed uint64, app func() saplugin.App, raw map[string]any) *apptest.Driver {
	src := apptest.NewSource(apptest.SourceOptions{Seed: seed, Skew: 2 * time.Second, Granularity: time.Microsecond})
	var failures atomic.Int32
	srv := toyVendor(t, src, &failures)
	cfg := srv.Transport()
	cfg["type"], cfg["token"], cfg["overlap_seconds"], cfg["batch_size"] = "toy_events", "tok-123456", 3, 4
	for k, v := range raw {
		cfg[k] = v
	}
	return &apptest.Driver{Source: src, Seed: seed, Logf: t.Logf,
		Gatherer: &apptest.InProcess{New: app, Instance: "toy", Config: apptest.Config(t, &toy{}, cfg)},
		IDOf: func(log []byte) (string, error) {
			var e toyEvent
			err := json.Unmarshal(log, &e)
			return e.ID, err
		}}
}

func TestGatherNothingMissedOrRepeated(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rep := toyDriver(t, seed, func() saplugin.App { return &toy{limit: 25} }, nil).Run(t)
			rep.Check(t)
			if rep.Crashes == 0 || rep.Events < 200 {
				t.Errorf("a weak run: %d events, %d crashes", rep.Events, rep.Crashes)
			}
		})
	}
}

// TestDriverNoticesLossAndRepeats runs faulty variants: an overlap shorter
// than the vendor's lateness loses late events, and skipping the cursor's
// de-duplication repeats the overlap.
func TestDriverNoticesLossAndRepeats(t *testing.T) {
	d := toyDriver(t, 5, func() saplugin.App { return &toy{limit: 25} }, map[string]any{"overlap_seconds": 1})
	d.Polls = 15
	if rep := d.Run(t); len(rep.Missed) == 0 || len(rep.Duplicated) > 0 {
		t.Errorf("short overlap: %d missed, %d duplicated; want late events missed", len(rep.Missed), len(rep.Duplicated))
	}
	d = toyDriver(t, 6, func() saplugin.App { return &toy{limit: 25, careless: true} }, nil)
	d.Polls = 15
	if rep := d.Run(t); len(rep.Duplicated) == 0 {
		t.Errorf("no de-duplication: %d duplicated; want the overlap repeated", len(rep.Duplicated))
	}
}

// oneEvent is a page of one event of a minute ago.
func oneEvent() string {
	return `[{"id":"a","time":"` + time.Now().Add(-time.Minute).UTC().Format(time.RFC3339Nano) + `"}]`
}

func TestGatherStopsAtRateLimitWithMore(t *testing.T) {
	var calls atomic.Int32
	srv := apptest.NewServer(t, scripted(&calls, reply(200, oneEvent()),
		reply(429, `{"error":"too many"}`, "Retry-After", "3600")), "api.toy.example")
	var batches []saplugin.Batch
	app := &toy{limit: 1}
	err := app.Gather(context.Background(), saplugin.GatherRequest{Instance: "toy", Config: toyConfig(t, srv), Budget: 400 * time.Millisecond},
		func(b saplugin.Batch) error { batches = append(batches, b); return nil })
	if err != nil {
		t.Fatal(err)
	}
	last := batches[len(batches)-1]
	if !last.More || len(batches) != 1 || len(last.Logs) != 1 {
		t.Fatalf("batches %+v, want the one log and More", batches)
	}
	var st struct {
		NotBefore time.Time `json:"not_before"`
	}
	if err := json.Unmarshal(last.State, &st); err != nil || time.Until(st.NotBefore) < 59*time.Minute {
		t.Fatalf("state %s does not carry the vendor's pause", last.State)
	}
	// The next poll honours the pause without calling the vendor.
	calls.Store(0)
	err = app.Gather(context.Background(), saplugin.GatherRequest{Instance: "toy", Config: toyConfig(t, srv), State: last.State,
		Budget: 300 * time.Millisecond}, func(b saplugin.Batch) error { batches = append(batches, b); return nil })
	if err != nil || calls.Load() != 0 || !batches[len(batches)-1].More {
		t.Fatalf("paused poll: err %v, %d calls", err, calls.Load())
	}
}

func TestGatherErrorKeepsWhatWasRead(t *testing.T) {
	var calls atomic.Int32
	srv := apptest.NewServer(t, scripted(&calls, reply(200, oneEvent()),
		reply(403, `{"error":"forbidden"}`)), "api.toy.example")
	var batches []saplugin.Batch
	err := (&toy{limit: 1}).Gather(context.Background(), saplugin.GatherRequest{Instance: "toy", Config: toyConfig(t, srv), Budget: 5 * time.Second},
		func(b saplugin.Batch) error { batches = append(batches, b); return nil })
	if appkit.StatusOf(err) != 403 || len(batches) != 1 || len(batches[0].Logs) != 1 || batches[0].More {
		t.Fatalf("err %v, batches %+v", err, batches)
	}
	// A host that went away stops the poll.
	hostGone := errors.New("host gone")
	calls.Store(0)
	err = (&toy{limit: 1}).Gather(context.Background(), saplugin.GatherRequest{Instance: "toy", Config: toyConfig(t, srv), Budget: 5 * time.Second},
		func(saplugin.Batch) error { return hostGone })
	if !errors.Is(err, hostGone) {
		t.Fatalf("emit error: %v", err)
	}
}
