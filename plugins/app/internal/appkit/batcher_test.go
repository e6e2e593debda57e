package appkit

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

func TestBatcher(t *testing.T) {
	var got []saplugin.Batch
	n := 0
	b := NewBatcher(func(bt saplugin.Batch) error { got = append(got, bt); return nil },
		func() []byte { return []byte(fmt.Sprint(n)) }, []byte("0"))
	b.MaxLogs, b.MaxBytes = 3, 10
	for _, l := range []string{"aa", "bb", "cc", "dddddddd", "e", "ffffffffffff", "g"} {
		n++
		if err := b.Add([]byte(l)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Finish(true); err != nil {
		t.Fatal(err)
	}
	var shape []string
	for _, bt := range got {
		shape = append(shape, fmt.Sprintf("%q@%s/%v", bt.Logs, bt.State, bt.More))
	}
	// Each batch's state is the one after its last log: a batch is never
	// cut before a log whose mark the state already holds.
	want := []string{`["aa" "bb" "cc"]@3/false`, `["dddddddd" "e" "ffffffffffff"]@6/false`, `["g"]@7/true`}
	if !reflect.DeepEqual(shape, want) {
		t.Fatalf("batches\n%q\nwant\n%q", shape, want)
	}
	if b.Sent() != 7 {
		t.Errorf("sent %d", b.Sent())
	}
}

func TestBatcherFinish(t *testing.T) {
	state := "s0"
	var got []saplugin.Batch
	b := NewBatcher(func(bt saplugin.Batch) error { got = append(got, bt); return nil }, func() []byte { return []byte(state) }, []byte("s0"))
	if b.Finish(false); len(got) != 0 {
		t.Fatal("an unchanged poll sent a batch")
	}
	state = "s1"
	if b.Finish(false); len(got) != 1 || string(got[0].State) != "s1" || len(got[0].Logs) != 0 {
		t.Fatalf("a changed state was not sent: %v", got)
	}
	if b.Finish(false); len(got) != 1 {
		t.Fatal("the same state was sent twice")
	}
	b.Finish(true)
	if len(got) != 2 || !got[1].More {
		t.Fatalf("More was not sent: %v", got)
	}
	failing := NewBatcher(func(saplugin.Batch) error { return errors.New("host gone") }, func() []byte { return nil }, nil)
	if err := failing.Add([]byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := failing.Finish(false); err == nil {
		t.Fatal("emit error lost")
	}
}
