package merge

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// goldenCase is one merger tick over some alerts; its golden file shows
// the merged alerts and what is left waiting.
type goldenCase struct {
	name   string
	alerts []spec
	now    time.Duration // the tick runs at T0+now
	opts   Options
}

func goldenCases() []goldenCase {
	const user = `"user":"alice"`
	return []goldenCase{
		{name: "nested_dicts", now: time.Hour, alerts: []spec{
			{at: 0, record: `{` + user + `,"abc":123,"nested":{"A":1,"B":2,"deep":{"x":1,"y":[1,2]}},"host":"web-1"}`},
			{at: time.Minute, record: `{"host":"web-2",` + user + `,"abc":123,"def":456,"nested":{"A":1,"deep":{"x":1,"y":[1,3]}}}`},
			{at: 2 * time.Minute, record: `{` + user + `,"abc":123,"nested":{"A":1,"B":3,"deep":{"x":1,"y":[1,2]}},"host":"web-1"}`},
		}},
		{name: "lists", now: time.Hour, alerts: []spec{
			// Lists are compared whole, and merge keys inside them stay.
			{at: 0, record: `{` + user + `,"tags":["a","b"],"events":[{"user":"alice","n":1}],"ports":[22,80]}`},
			{at: time.Second, record: `{` + user + `,"tags":["a","b"],"events":[{"user":"alice","n":2}],"ports":[80,22]}`},
		}},
		{name: "differing_types", now: time.Hour, alerts: []spec{
			// 1 and 1.0 are equal, true and 1 are not; a dict against a
			// string or a list has no partial common part.
			{at: 0, record: `{` + user + `,"n":1,"flag":true,"obj":{"a":1},"mixed":{"a":1},"null":null}`},
			{at: time.Second, record: `{` + user + `,"n":1.0,"flag":1,"obj":"text","mixed":[{"a":1}],"null":null}`},
			{at: 2 * time.Second, record: `{` + user + `,"n":1e0,"flag":true,"obj":{"a":1},"mixed":{"a":1}}`},
		}},
		{name: "keys_at_depth", now: time.Hour, alerts: []spec{
			// userName is found at any depth and removed from every nested
			// object; "account" is in no record, so it is (n/a) in MergedBy
			// and equal (missing == missing) for grouping.
			{at: 0, keys: []string{"userName", "account"}, record: `{"detail":{"userIdentity":{"type":"IAMUser","userName":"bob"},"eventName":"ConsoleLogin","src":"1.1.1.1"},"region":"us-east-1"}`},
			{at: time.Second, keys: []string{"account", "userName"}, record: `{"detail":{"eventName":"ConsoleLogin","userIdentity":{"userName":"bob","type":"IAMUser"},"src":"2.2.2.2"},"region":"us-east-1"}`},
			{at: 2 * time.Second, keys: []string{"userName", "account"}, record: `{"detail":{"userIdentity":{"type":"IAMUser","userName":"carol"},"eventName":"ConsoleLogin","src":"1.1.1.1"},"region":"us-east-1"}`},
		}},
		{name: "more_than_50", now: time.Hour, alerts: many(120, 2)},
		{name: "window_boundary_waits", now: 10 * time.Minute, alerts: boundary()},
		{name: "window_boundary_passed", now: time.Hour, alerts: boundary()},
		{name: "same_created", now: time.Hour, alerts: []spec{
			// ValueDiffs is keyed by created time: the later alert's diff
			// replaces the earlier one's, as in StreamAlert.
			{at: 0, record: `{` + user + `,"src":"1.1.1.1"}`},
			{at: 0, record: `{` + user + `,"src":"2.2.2.2"}`},
			{at: time.Second, record: `{` + user + `,"src":"3.3.3.3"}`},
		}},
		{name: "single_alert", now: time.Hour, alerts: []spec{
			{at: 0, record: `{` + user + `,"src":"1.1.1.1","detail":{"a":1}}`},
		}},
		{name: "nothing_common", now: time.Hour, alerts: []spec{
			{at: 0, record: `{` + user + `,"a":1}`},
			{at: time.Second, record: `{` + user + `,"b":2}`},
		}},
		{name: "fields_from_first_and_last", now: time.Hour, alerts: []spec{
			// Context and publishers from the oldest, outputs from the
			// newest, staged if any is.
			{at: 0, record: `{` + user + `}`, context: `{"note":"first"}`, outputs: []string{"slack:soc"}},
			{at: time.Second, record: `{` + user + `}`, context: `{"note":"second"}`, outputs: []string{"pagerduty:oncall"}, staged: true},
		}},
		{name: "capped_diffs", now: time.Hour, opts: Options{MaxRecordBytes: 600}, alerts: bulky(8)},
		{name: "capped_common", now: time.Hour, opts: Options{MaxRecordBytes: 300}, alerts: bulky(3)},
		{name: "full_batch", now: time.Hour, opts: Options{Limit: 7}, alerts: spanning()},
	}
}

// many makes n alerts a second apart alternating between keys users.
func many(n, users int) []spec {
	var out []spec
	for i := range n {
		out = append(out, spec{at: time.Duration(i) * time.Second, window: 10 * time.Minute,
			record: fmt.Sprintf(`{"user":"u%d","seq":%d,"action":"login"}`, i%users, i)})
	}
	return out
}

// boundary puts alerts at the start, exactly at the end and just past the
// end of a 5-minute window, and one of another key after that.
func boundary() []spec {
	return []spec{
		{at: 0, record: `{"user":"alice","n":0}`},
		{at: 5 * time.Minute, record: `{"user":"alice","n":1}`},
		{at: 5*time.Minute + time.Microsecond, record: `{"user":"alice","n":2}`},
		{at: 8 * time.Minute, record: `{"user":"bob","n":3}`},
	}
}

// bulky makes alerts whose records share a large part and differ in
// another.
func bulky(n int) []spec {
	var out []spec
	for i := range n {
		out = append(out, spec{at: time.Duration(i) * time.Second, record: fmt.Sprintf(
			`{"user":"alice","big":"%s","medium":"%s","small":1,"detail":"%s-%d"}`,
			strings.Repeat("x", 120), strings.Repeat("y", 60), strings.Repeat("d", 40), i)})
	}
	return out
}

// spanning puts groups across the end of a 7-alert batch: bob's and the
// first alice group close inside the batch and merge on the first round;
// carol's and the second alice group are still open at the batch's end, so
// they wait for the second round, where alerts 7 and 8 join them instead of
// being merged apart.
func spanning() []spec {
	var out []spec
	for i, u := range []string{"bob", "bob", "alice", "bob", "alice", "carol", "alice", "alice", "carol"} {
		out = append(out, spec{at: time.Duration(i) * time.Minute, window: 3 * time.Minute,
			record: fmt.Sprintf(`{"user":%q,"i":%d}`, u, i)})
	}
	return out
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			var in []*alert.Alert
			for _, s := range tc.alerts {
				in = append(in, mk(t, s))
			}
			q := newFakeQueue(in...)
			m := New(q, tc.opts)
			if _, err := m.Tick(context.Background(), T0.Add(tc.now)); err != nil {
				t.Fatal(err)
			}
			for _, req := range q.merged {
				if max := m.opts.MaxRecordBytes; max > 0 && len(req.Merged.Record) > max {
					t.Errorf("merged record is %d bytes, over the cap of %d", len(req.Merged.Record), max)
				}
			}
			compareGolden(t, filepath.Join("testdata", tc.name+".golden"), render(t, in, q))
		})
	}
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it); got:\n%s", path, got)
	}
}
