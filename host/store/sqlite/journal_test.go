package sqlite

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
)

func TestJournal(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir()+"/sa.db", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	recs := [][]byte{[]byte(`{"a":1}`), {}, []byte("raw line\n"), make([]byte, 300)}
	var ids []int64
	for i := range 3 {
		id, err := s.Append(ctx, store.JournalEntry{Service: "http", Resource: fmt.Sprint("src", i), Records: recs})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if entries, records, err := s.Depth(ctx); err != nil || entries != 3 || records != 12 {
		t.Fatalf("depth %d entries %d records (%v), want 3 and 12", entries, records, err)
	}
	got, err := s.Pending(ctx, store.PendingRequest{After: ids[0], Limit: 10})
	if err != nil || len(got) != 2 || got[0].ID != ids[1] || got[1].Resource != "src2" {
		t.Fatalf("pending after the first: %+v (%v)", got, err)
	}
	if !reflect.DeepEqual(got[0].Records[0], recs[0]) || len(got[0].Records) != 4 || len(got[0].Records[3]) != 300 || len(got[0].Records[1]) != 0 {
		t.Errorf("records did not round trip: %q", got[0].Records)
	}

	// An entry and the alerts made from it commit together.
	a, err := alert.New(alert.Params{RuleName: "r", Record: []byte(`{}`), Outputs: []string{"webhook:x"},
		ID: alert.DerivedID(time.Unix(1, 0), "entry-1/0/r")})
	if err != nil {
		t.Fatal(err)
	}
	err = s.WithJournalTx(ctx, func(tx store.JournalTx) error {
		if err := tx.Insert(ctx, a); err != nil {
			return err
		}
		return tx.Ack(ctx, ids[0])
	})
	if err != nil {
		t.Fatal(err)
	}
	// A rolled-back transaction acknowledges nothing.
	_ = s.WithJournalTx(ctx, func(tx store.JournalTx) error {
		_ = tx.Ack(ctx, ids[1])
		return fmt.Errorf("fail")
	})
	left, _ := s.Pending(ctx, store.PendingRequest{})
	if len(left) != 2 || left[0].ID != ids[1] {
		t.Errorf("pending %v, want entries 2 and 3", left)
	}
	if _, err := s.Get(ctx, a.ID); err != nil {
		t.Errorf("the alert committed with the ack is missing: %v", err)
	}
}

// TestJournalAppendWithState: records and a checkpoint commit together or
// not at all.
func TestJournalAppendWithState(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir()+"/sa.db", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	entry := store.JournalEntry{Service: "streamalert_app", Resource: "duo", Records: [][]byte{[]byte(`{}`)}}
	err = s.WithJournalTx(ctx, func(tx store.JournalTx) error {
		if _, err := tx.Append(ctx, entry); err != nil {
			return err
		}
		if err := tx.PutState(ctx, "app/duo", []byte("cursor-1")); err != nil {
			return err
		}
		return fmt.Errorf("the host went away")
	})
	if err == nil {
		t.Fatal("want the function's error")
	}
	if n, _, _ := s.Depth(ctx); n != 0 {
		t.Errorf("%d entries after a rolled-back batch", n)
	}
	if _, ok, _ := s.GetState(ctx, "app/duo"); ok {
		t.Error("state saved by a rolled-back batch")
	}
	err = s.WithJournalTx(ctx, func(tx store.JournalTx) error {
		if _, err := tx.Append(ctx, entry); err != nil {
			return err
		}
		return tx.PutState(ctx, "app/duo", []byte("cursor-1"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, _, _ := s.Depth(ctx); n != 1 {
		t.Errorf("%d entries, want 1", n)
	}
	if v, ok, _ := s.GetState(ctx, "app/duo"); !ok || string(v) != "cursor-1" {
		t.Errorf("state %q %v, want cursor-1", v, ok)
	}
}

func TestDecodeRecordsDamaged(t *testing.T) {
	if _, err := decodeRecords([]byte{0x05, 'a'}); err == nil {
		t.Error("a truncated record decoded")
	}
}

func TestDerivedIDStable(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	a, b := alert.DerivedID(at, "k"), alert.DerivedID(at, "k")
	if a != b || a == alert.DerivedID(at, "other") {
		t.Errorf("ids %s %s: want equal for one key, different for another", a, b)
	}
}

// TestReleaseKeepsBudget: pairs handed back unattempted, however often,
// never fail on the attempt budget; a retry does count.
func TestReleaseKeepsBudget(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir()+"/sa.db", Options{MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, _ := alert.New(alert.Params{RuleName: "r", Record: []byte(`{}`), Outputs: []string{"webhook:x"}})
	if err := s.Insert(ctx, a); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	lease := func() store.Pair {
		t.Helper()
		pairs, err := s.Due(ctx, store.DueRequest{Now: now, Limit: 1, Lease: time.Minute})
		if err != nil || len(pairs) != 1 {
			t.Fatalf("due: %v %v", pairs, err)
		}
		return pairs[0]
	}
	for range 5 {
		p := lease()
		if err := s.Record(ctx, p.Release(now, now, "busy")); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := s.Get(ctx, a.ID)
	if d, ok := got.Delivery("webhook:x"); !ok || d.Status != alert.Pending || d.Attempts != 0 {
		t.Fatalf("after 5 releases: %+v, want pending with 0 attempts", d)
	}
	for range 2 {
		p := lease()
		if err := s.Record(ctx, p.Retry(now, now, "503")); err != nil {
			t.Fatal(err)
		}
	}
	got, _ = s.Get(ctx, a.ID)
	if d, ok := got.Delivery("webhook:x"); !ok || d.Status != alert.Failed {
		t.Errorf("after 2 retries with a budget of 2: %+v, want failed", d)
	}
}
