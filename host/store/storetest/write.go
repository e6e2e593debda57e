package storetest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
)

var writeTests = map[string]func(*testing.T, store.Store){
	"insert then get returns the same alert": func(t *testing.T, st store.Store) {
		a, err := alert.New(alert.Params{
			RuleName: "r", RuleDescription: "d <&>", Severity: "high", Tags: []string{"x"},
			Record: json.RawMessage(`{"z":1,"a":{"b":[1,2.50,"\u00e9"]}}`), Context: json.RawMessage(`{"k":"v"}`),
			Outputs: []string{"slack:soc"}, Required: []string{"aws-firehose:alerts"},
			Publishers: map[string][]string{"slack:soc": {"p2", "p1"}}, Cluster: "prod",
			LogSource: "cloudtrail:events", LogType: "json", SourceService: "s3", SourceEntity: "bucket",
			Staged: true, MergeByKeys: []string{"a"}, MergeWindow: 5 * time.Minute, Created: T0,
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Insert(ctx, a); err != nil {
			t.Fatal(err)
		}
		deepEqual(t, "stored alert", get(t, st, a.ID), a)
	},
	"insert is idempotent by id": func(t *testing.T, st store.Store) {
		a := insert(t, st, spec{outputs: []string{"a:x"}})[0]
		again := *a
		again.RuleDescription = "changed"
		if err := st.Insert(ctx, &again); err != nil {
			t.Fatalf("second Insert: %v", err)
		}
		if got := get(t, st, a.ID); got.RuleDescription != "" || len(got.Deliveries) != 1 {
			t.Errorf("second insert changed the alert: %+v", got)
		}
	},
	"an invalid alert fails the whole batch": func(t *testing.T, st store.Store) {
		good := newAlert(t, spec{})
		bad := newAlert(t, spec{})
		bad.Record = json.RawMessage(`[1]`)
		err := st.Insert(ctx, good, bad)
		wantErr(t, err, store.ErrInvalid)
		wantErr(t, err, alert.ErrInvalid)
		_, err = st.Get(ctx, good.ID)
		wantErr(t, err, store.ErrNotFound)
		wantErr(t, st.Insert(ctx, nil), store.ErrInvalid)
	},
	"get of an unknown id": func(t *testing.T, st store.Store) {
		_, err := st.Get(ctx, "nope")
		wantErr(t, err, store.ErrNotFound)
	},
	"state": func(t *testing.T, st store.Store) {
		if _, ok, err := st.GetState(ctx, "app/x"); ok || err != nil {
			t.Fatalf("GetState of a missing key = %v, %v", ok, err)
		}
		for _, v := range []string{"cursor-1", "cursor-2", ""} {
			if err := st.PutState(ctx, "app/x", []byte(v)); err != nil {
				t.Fatal(err)
			}
			got, ok, err := st.GetState(ctx, "app/x")
			if err != nil || !ok || string(got) != v {
				t.Errorf("GetState = %q, %v, %v; want %q", got, ok, err, v)
			}
		}
		if err := st.DeleteState(ctx, "app/x"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := st.GetState(ctx, "app/x"); ok {
			t.Error("state still there after DeleteState")
		}
	},
	"a transaction commits alerts and checkpoint together": func(t *testing.T, st store.Store) {
		a := newAlert(t, spec{})
		boom := errors.New("boom")
		err := st.WithTx(ctx, func(tx store.Tx) error {
			if err := tx.Insert(ctx, a); err != nil {
				return err
			}
			if err := tx.PutState(ctx, "app/x", []byte("2")); err != nil {
				return err
			}
			if v, ok, err := tx.GetState(ctx, "app/x"); err != nil || !ok || string(v) != "2" {
				t.Errorf("GetState inside the transaction = %q, %v, %v", v, ok, err)
			}
			return boom
		})
		if err != boom {
			t.Fatalf("WithTx returned %v, want fn's error as is", err)
		}
		if _, err := st.Get(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("alert of a rolled back transaction: %v", err)
		}
		if _, ok, _ := st.GetState(ctx, "app/x"); ok {
			t.Error("state of a rolled back transaction was kept")
		}
		err = st.WithTx(ctx, func(tx store.Tx) error {
			if err := tx.Insert(ctx, a); err != nil {
				return err
			}
			return tx.PutState(ctx, "app/x", []byte("2"))
		})
		if err != nil {
			t.Fatal(err)
		}
		get(t, st, a.ID)
		if v, _, _ := st.GetState(ctx, "app/x"); string(v) != "2" {
			t.Errorf("state = %q after commit", v)
		}
	},
}
