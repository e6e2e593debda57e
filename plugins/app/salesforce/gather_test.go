package main

import (
	"context"
	"encoding/json"
	"errors"
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

func newLogged(w io.Writer) *App {
	a := New()
	a.Spec.Logger = apptest.DebugLogger(w)
	return a
}

// poll runs one in-process Gather of instance "sf".
func poll(t *testing.T, app *App, cfg schema.Config, state []byte, budget time.Duration) ([]saplugin.Batch, error) {
	t.Helper()
	return apptest.Gather(t, app, "sf", cfg, state, budget)
}

func TestGapFreeInProcess(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 41})
	f := newFakeSalesforce(t, src)
	cfg := apptest.Config(t, New(), f.config("salesforce_login"))
	logs := &apptest.Buffer{}
	g := &apptest.InProcess{Instance: "sf", Config: cfg, New: func() saplugin.App {
		a := newLogged(logs)
		a.BatchLogs = 7 // so crashes come in the middle of files
		return a
	}}
	d := apptest.Driver{Source: src, IDOf: idOf, Logf: t.Logf, Gatherer: publishing{g, f, "Login"}}
	rep := d.Run(t)
	rep.Check(t)
	secrettest.AssertNoLeak(t, f.allSecrets(), logs.String(), string(rep.State))
}

func TestGapFreeBinary(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 42})
	f := newFakeSalesforce(t, src)
	bin := apptest.StartBinary(t, "plugins/app/salesforce", "sf", f.config("salesforce_loginas"))
	d := apptest.Driver{Source: src, IDOf: idOf, Polls: 15, Logf: t.Logf, Gatherer: publishing{bin, f, "LoginAs"}}
	rep := d.Run(t)
	rep.Check(t)
	secrettest.AssertNoLeak(t, f.allSecrets(), bin.Stderr.String())
}

// TestRows checks a file's rows come out as JSON objects keyed by the
// header, quoted fields intact, in file order.
func TestRows(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 1})
	src.Generate(3)
	f := newFakeSalesforce(t, src)
	f.publish("Report")
	f.publish("Report")
	app := New()
	b, err := poll(t, app, apptest.Config(t, app, f.config("salesforce_report")), nil, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	logs := apptest.Logs(b)
	if len(logs) != 3 {
		t.Fatalf("%d rows", len(logs))
	}
	for i, l := range logs {
		e := src.Visible()[i]
		var got map[string]string
		if err := json.Unmarshal(l, &got); err != nil {
			t.Fatal(err)
		}
		if got["REQUEST_ID"] != e.ID || got["BROWSER_TYPE"] != `Mozilla/5.0 (X11; Linux x86_64) "quoted", with comma` ||
			got["EVENT_TYPE"] != "Report" || !strings.HasPrefix(string(l), `{"EVENT_TYPE":"Report","TIMESTAMP":`) {
			t.Errorf("row %d: %s", i, l)
		}
	}
	f.mu.Lock()
	q := f.queries[0]
	f.mu.Unlock()
	if !strings.Contains(q, "EventType = 'Report' AND Interval = 'Daily'") {
		t.Errorf("query %s", q)
	}
}

// TestResumeInsideFile cuts a poll after its second batch, in the middle
// of a file, and checks the next poll emits the rest of the file only.
func TestResumeInsideFile(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 2, PerRequest: 1})
	src.Generate(60)
	f := newFakeSalesforce(t, src)
	f.publish("Login")
	f.publish("Login")
	app := New()
	app.BatchLogs = 10
	cfg := apptest.Config(t, app, f.config("salesforce_login"))
	errCut := errors.New("host went away")
	var kept []saplugin.Batch
	err := app.Gather(context.Background(), saplugin.GatherRequest{Instance: "sf", Config: cfg, Budget: time.Minute},
		func(b saplugin.Batch) error {
			if len(kept) == 2 {
				return errCut
			}
			kept = append(kept, b)
			return nil
		})
	if !errors.Is(err, errCut) {
		t.Fatalf("Gather = %v", err)
	}
	var st struct {
		Extra progress `json:"extra"`
	}
	json.Unmarshal(kept[1].State, &st)
	if st.Extra.File == "" || st.Extra.Rows != 20 {
		t.Fatalf("state %s, want the file and its 20 rows emitted", kept[1].State)
	}
	b, err := poll(t, app, cfg, kept[1].State, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, l := range append(apptest.Logs(kept), apptest.Logs(b)...) {
		id, err := idOf(l)
		if err != nil {
			t.Fatal(err)
		}
		count[id]++
	}
	for _, e := range src.Visible()[:60] {
		if count[e.ID] != 1 {
			t.Errorf("%s emitted %d times", e.ID, count[e.ID])
		}
	}
}

// TestSessionReuseAndRefresh checks a session serves later polls, and an
// expired one is replaced once.
func TestSessionReuseAndRefresh(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 3})
	src.Generate(2)
	f := newFakeSalesforce(t, src)
	f.publish("Console")
	app := New()
	cfg := apptest.Config(t, app, f.config("salesforce_console"))
	b, err := poll(t, app, cfg, nil, time.Minute)
	if err != nil || len(apptest.Logs(b)) != 2 {
		t.Fatalf("first poll: %d rows, %v", len(apptest.Logs(b)), err)
	}
	state := apptest.LastState(nil, b)
	src.Generate(2)
	f.publish("Console")
	f.expireAll()
	b, err = poll(t, app, cfg, state, time.Minute)
	if err != nil || len(apptest.Logs(b)) < 2 {
		t.Fatalf("poll after the session expired: %d rows, %v", len(apptest.Logs(b)), err)
	}
	f.mu.Lock()
	logins := f.logins
	f.mu.Unlock()
	if logins != 2 {
		t.Fatalf("%d sign-ins, want 2", logins)
	}
}

// TestAuthFailure checks a refused sign-in fails the poll with
// Salesforce's reason and no secret.
func TestAuthFailure(t *testing.T) {
	f := newFakeSalesforce(t, apptest.NewSource(apptest.SourceOptions{Seed: 4}))
	raw := f.config("salesforce_login")
	raw[propSecurityToken] = "WrongTokenWrongTokenWron"
	logs := &apptest.Buffer{}
	app := newLogged(logs)
	_, err := poll(t, app, apptest.Config(t, app, raw), nil, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "invalid_grant: authentication failure") {
		t.Fatalf("error %v", err)
	}
	secrettest.AssertNoLeak(t, append(f.allSecrets(), "WrongTokenWrongTokenWron"), err.Error(), logs.String())
}

// TestServerErrorRetried checks a 500 on a log file download is retried.
func TestServerErrorRetried(t *testing.T) {
	src := apptest.NewSource(apptest.SourceOptions{Seed: 5})
	src.Generate(4)
	f := newFakeSalesforce(t, src)
	f.publish("ReportExport")
	f.publish("ReportExport")
	f.refuseNext(nil) // the query
	f.refuseNext(func(w http.ResponseWriter) bool {
		restError(w, http.StatusInternalServerError, "UNKNOWN_EXCEPTION", "An unexpected error occurred")
		return true
	})
	app := New()
	b, err := poll(t, app, apptest.Config(t, app, f.config("salesforce_reportexport")), nil, time.Minute)
	if err != nil || len(apptest.Logs(b)) != 4 {
		t.Fatalf("poll: %d rows, %v", len(apptest.Logs(b)), err)
	}
}
