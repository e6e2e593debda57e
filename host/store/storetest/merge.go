package storetest

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
)

func ids(as []*alert.Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

func merged(t *testing.T, from ...*alert.Alert) *alert.Alert {
	t.Helper()
	a, err := alert.New(alert.Params{RuleName: from[0].RuleName, Record: json.RawMessage(`{"AlertCount":2}`),
		Outputs: []string{"slack:soc"}, MergedFrom: ids(from), Created: T0.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

var mergeTests = map[string]func(*testing.T, store.Store){
	"candidates are a rule's waiting alerts, oldest first": func(t *testing.T, st store.Store) {
		m := spec{outputs: []string{"slack:soc"}, required: []string{"firehose:alerts"}, mergeBy: []string{"user"}}
		a3, a1, a2 := m, m, m
		a3.at, a1.at, a2.at = 3*time.Second, time.Second, 2*time.Second
		other := m
		other.rule = "rule_b"
		plain := spec{outputs: []string{"slack:soc"}}
		as := insert(t, st, a3, a1, a2, other, plain)
		rules, err := st.MergeRules(ctx)
		if err != nil || !slices.Equal(rules, []string{"rule_a", "rule_b"}) {
			t.Errorf("MergeRules = %v, %v", rules, err)
		}
		got, err := st.MergeCandidates(ctx, store.CandidatesRequest{Rule: "rule_a", Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		deepEqual(t, "candidates", ids(got), []string{as[1].ID, as[2].ID})
		_, err = st.MergeCandidates(ctx, store.CandidatesRequest{Rule: "rule_a"})
		wantErr(t, err, store.ErrInvalid)
	},
	"replace group hands held outputs to the merged alert": func(t *testing.T, st store.Store) {
		m := spec{outputs: []string{"slack:soc"}, required: []string{"firehose:alerts"}, mergeBy: []string{"user"}}
		as := insert(t, st, m, m, m)
		mg := merged(t, as[0], as[1])
		if err := st.ReplaceGroup(ctx, store.ReplaceRequest{Merged: mg, Replaces: ids(as[:2])}); err != nil {
			t.Fatal(err)
		}
		deepEqual(t, "merged alert", get(t, st, mg.ID), mg)
		orig := get(t, st, as[0].ID)
		if d, _ := orig.Delivery("slack:soc"); orig.MergedInto != mg.ID || d.Status != alert.Merged {
			t.Errorf("original after merge: %s", dump(orig))
		}
		if d, _ := orig.Delivery("firehose:alerts"); d.Status != alert.Pending {
			t.Errorf("required output of a merged alert is %s, want still pending", d.Status)
		}
		got, _ := st.MergeCandidates(ctx, store.CandidatesRequest{Rule: "rule_a", Limit: 10})
		deepEqual(t, "candidates left", ids(got), []string{as[2].ID})
		var outs []string
		for _, p := range due(t, st, now, 10) {
			outs = append(outs, p.Alert.ID+" "+p.Output)
		}
		slices.Sort(outs)
		want := []string{as[0].ID + " firehose:alerts", as[1].ID + " firehose:alerts", as[2].ID + " firehose:alerts", mg.ID + " slack:soc"}
		slices.Sort(want)
		deepEqual(t, "due after merge", outs, want)
	},
	"replace group is all or nothing": func(t *testing.T, st store.Store) {
		m := spec{outputs: []string{"slack:soc"}, mergeBy: []string{"user"}}
		as := insert(t, st, m, m, m)
		plain := insert(t, st, spec{outputs: []string{"slack:soc"}})[0]
		first := merged(t, as[0])
		if err := st.ReplaceGroup(ctx, store.ReplaceRequest{Merged: first, Replaces: ids(as[:1])}); err != nil {
			t.Fatal(err)
		}
		// as[0] is merged already: nothing of this group may change.
		second := merged(t, as[0], as[1])
		err := st.ReplaceGroup(ctx, store.ReplaceRequest{Merged: second, Replaces: ids(as[:2])})
		wantErr(t, err, store.ErrConflict)
		if _, err := st.Get(ctx, second.ID); err == nil {
			t.Error("the merged alert of a refused group was stored")
		}
		// Marking the originals works, then storing the merged alert fails
		// (its id is taken): the marks must be rolled back with it.
		clash := merged(t, as[1])
		clash.ID = plain.ID
		err = st.ReplaceGroup(ctx, store.ReplaceRequest{Merged: clash, Replaces: ids(as[1:])})
		wantErr(t, err, store.ErrConflict)
		for _, a := range as[1:] {
			got := get(t, st, a.ID)
			if d, _ := got.Delivery("slack:soc"); got.MergedInto != "" || d.Status != alert.Held {
				t.Errorf("alert %s changed by a failed replace: %s", a.ID, dump(got))
			}
		}
		bad := merged(t, as[1])
		bad.MergeByKeys, bad.MergeWindow = []string{"user"}, time.Hour
		wantErr(t, st.ReplaceGroup(ctx, store.ReplaceRequest{Merged: bad, Replaces: ids(as[1:])}), store.ErrInvalid)
		wantErr(t, st.ReplaceGroup(ctx, store.ReplaceRequest{Merged: merged(t, as[1])}), store.ErrInvalid)
	},
}
