package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/store"
)

// browseFixture stores alerts in every state, created a minute apart (a0
// oldest), and returns their ids.
func browseFixture(t *testing.T, st store.Store) []string {
	t.Helper()
	as := insert(t, st,
		// a0: delivered
		spec{rule: "root_login", record: `{"user":"root","ip":"10.0.0.1"}`, outputs: []string{"a:x"}},
		// a1: failed
		spec{rule: "root_login", record: `{"user":"ROOT","note":"50% off_sale"}`, outputs: []string{"a:x"},
			at: time.Minute},
		// a2: pending, staged
		spec{rule: "brute_force", record: `{"q":"say \"hi\"","html":"a<b&c"}`, outputs: []string{"a:x"},
			at: 2 * time.Minute, staged: true},
		// a3: merged
		spec{rule: "brute_force", outputs: []string{"a:x"}, mergeBy: []string{"user"}, at: 3 * time.Minute},
		// a4: no outputs, so delivered
		spec{rule: "brute_force", record: `{"eventName":"ConsoleLogin"}`, at: 4 * time.Minute},
	)
	ps := due(t, st, now, 10)
	for _, p := range ps {
		switch p.Alert.ID {
		case as[0].ID:
			record(t, st, p.Sent(now))
		case as[1].ID:
			record(t, st, p.GiveUp(now, "nope"))
		}
	}
	m := merged(t, as[3])
	m.Created = T0.Add(-time.Hour) // keep it out of the way of the time filters
	if err := st.ReplaceGroup(ctx, store.ReplaceRequest{Merged: m, Replaces: []string{as[3].ID}}); err != nil {
		t.Fatal(err)
	}
	return append(ids(as), m.ID)
}

func list(t *testing.T, st store.Store, f store.Filter) []string {
	t.Helper()
	resp, err := st.List(ctx, store.ListRequest{Filter: f, Limit: 100})
	if err != nil {
		t.Fatalf("List(%+v): %v", f, err)
	}
	return ids(resp.Alerts)
}

var browseTests = map[string]func(*testing.T, store.Store){
	"filters": func(t *testing.T, st store.Store) {
		a := browseFixture(t, st)
		tests := []struct {
			name string
			f    store.Filter
			want []string // newest first
		}{
			{"all", store.Filter{}, []string{a[4], a[3], a[2], a[1], a[0], a[5]}},
			{"rule", store.Filter{Rule: "root_login"}, []string{a[1], a[0]}},
			{"since", store.Filter{Since: T0.Add(3 * time.Minute)}, []string{a[4], a[3]}},
			{"until", store.Filter{Since: T0, Until: T0.Add(time.Minute)}, []string{a[0]}},
			{"ids", store.Filter{IDs: []string{a[0], a[2], "missing"}}, []string{a[2], a[0]}},
			{"failed", store.Filter{Status: store.StatusFailed}, []string{a[1]}},
			{"pending", store.Filter{Status: store.StatusPending}, []string{a[2], a[5]}},
			{"delivered", store.Filter{Status: store.StatusDelivered}, []string{a[4], a[0]}},
			{"merged", store.Filter{Status: store.StatusMerged}, []string{a[3]}},
			{"staged", store.Filter{Status: store.StatusStaged}, []string{a[2]}},
			{"text ignores ASCII case", store.Filter{Text: "root"}, []string{a[1], a[0]}},
			{"text is partial", store.Filter{Text: "10.0.0"}, []string{a[0]}},
			{"text % is literal", store.Filter{Text: "50%"}, []string{a[1]}},
			{"text _ is literal", store.Filter{Text: "f_s"}, []string{a[1]}},
			{"text % alone", store.Filter{Text: "%"}, []string{a[1]}},
			{"text structure", store.Filter{Text: `"eventName":"ConsoleLogin"`}, []string{a[4]}},
			{"text quotes in a value", store.Filter{Text: `say "hi"`}, []string{a[2]}},
			{"text html", store.Filter{Text: "a<b&c"}, []string{a[2]}},
			{"rule and status", store.Filter{Rule: "root_login", Status: store.StatusDelivered}, []string{a[0]}},
			{"nothing", store.Filter{Rule: "root_login", Text: "ConsoleLogin"}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				deepEqual(t, "ids", list(t, st, tt.f), tt.want)
			})
		}
		_, err := st.List(ctx, store.ListRequest{Filter: store.Filter{Status: "lost"}})
		wantErr(t, err, store.ErrInvalid)
		_, err = st.List(ctx, store.ListRequest{Cursor: "garbage"})
		wantErr(t, err, store.ErrInvalid)
	},
	"pages": func(t *testing.T, st store.Store) {
		var specs []spec
		for i := range 7 {
			specs = append(specs, spec{at: time.Duration(i%3) * time.Second}) // created times repeat
		}
		insert(t, st, specs...)
		all := list(t, st, store.Filter{})
		var paged []string
		cursor := ""
		for page := 0; ; page++ {
			resp, err := st.List(ctx, store.ListRequest{Limit: 3, Cursor: cursor})
			if err != nil || page > 5 {
				t.Fatalf("page %d: %v", page, err)
			}
			paged = append(paged, ids(resp.Alerts)...)
			if cursor = resp.Next; cursor == "" {
				break
			}
		}
		deepEqual(t, "pages", paged, all)
		if len(slices.Compact(slices.Sorted(slices.Values(paged)))) != 7 {
			t.Errorf("pages repeat or miss alerts: %v", paged)
		}
	},
	"retry by filter": func(t *testing.T, st store.Store) {
		a := browseFixture(t, st)
		n, err := st.Retry(ctx, store.RetryRequest{Filter: store.Filter{Rule: "brute_force"}, Now: now})
		if err != nil || n != 0 {
			t.Errorf("Retry of a rule without failures = %d, %v", n, err)
		}
		n, err = st.Retry(ctx, store.RetryRequest{Filter: store.Filter{Rule: "root_login"}, Now: now})
		if err != nil || n != 1 {
			t.Errorf("Retry = %d, %v", n, err)
		}
		deepEqual(t, "failed after retry", list(t, st, store.Filter{Status: store.StatusFailed}), []string(nil))
		deepEqual(t, "pending after retry", list(t, st, store.Filter{Status: store.StatusPending}), []string{a[2], a[1], a[5]})
	},
	"prune deletes what is done": func(t *testing.T, st store.Store) {
		a := browseFixture(t, st)
		n, err := st.Prune(ctx, store.PruneRequest{Before: T0.Add(time.Hour)})
		if err != nil || n != 3 {
			t.Fatalf("Prune = %d, %v; want the delivered and merged alerts", n, err)
		}
		deepEqual(t, "left", list(t, st, store.Filter{}), []string{a[2], a[1], a[5]})
		if n, err := st.Prune(ctx, store.PruneRequest{Before: T0.Add(time.Hour), Failed: true}); err != nil || n != 1 {
			t.Errorf("Prune with failed = %d, %v", n, err)
		}
		_, err = st.Prune(ctx, store.PruneRequest{})
		wantErr(t, err, store.ErrInvalid)
	},
}
