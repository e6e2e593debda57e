package dynamodb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
)

func newAlert(t *testing.T, i int, outputs ...string) *alert.Alert {
	t.Helper()
	a, err := alert.New(alert.Params{RuleName: "r", Record: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)),
		Outputs: outputs, Created: time.Date(2030, 1, 1, 0, 0, i, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestLargeBatch inserts more items than one transaction takes, with a
// checkpoint, and checks that all of it lands and that a repeat is a no-op.
func TestLargeBatch(t *testing.T) {
	e := newEmulator(t)
	s := e.open(t, 3)
	var as []*alert.Alert
	for i := range 40 {
		as = append(as, newAlert(t, i, "a:x", "b:x", "c:x")) // 4 items each: 160
	}
	before := e.proxy.Count()
	commit := func() error {
		return s.WithTx(ctx, func(tx store.Tx) error {
			if err := tx.Insert(ctx, as...); err != nil {
				return err
			}
			return tx.PutState(ctx, "app/x", []byte("cursor-40"))
		})
	}
	if err := commit(); err != nil {
		t.Fatal(err)
	}
	if n := e.proxy.Count() - before; n != 2 {
		t.Errorf("%d transactions for 160 items, want 2", n)
	}
	resp, err := s.List(ctx, store.ListRequest{Limit: 100})
	if err != nil || len(resp.Alerts) != 40 {
		t.Fatalf("List = %d alerts, %v", len(resp.Alerts), err)
	}
	if v, ok, err := s.GetState(ctx, "app/x"); err != nil || !ok || string(v) != "cursor-40" {
		t.Errorf("state = %q, %v, %v", v, ok, err)
	}
	before = e.proxy.Count()
	if err := commit(); err != nil {
		t.Fatal(err)
	}
	if n := e.proxy.Count() - before; n != 1 {
		t.Errorf("a repeated batch wrote %d transactions, want 1 (the checkpoint)", n)
	}
	ps, err := s.Due(ctx, store.DueRequest{Now: time.Now(), Limit: 1000})
	if err != nil || len(ps) != 120 {
		t.Errorf("Due = %d pairs, %v; want 120", len(ps), err)
	}
}

func TestTooManyOutputs(t *testing.T) {
	e := newEmulator(t)
	s := e.open(t, 3)
	var outs []string
	for i := range 100 {
		outs = append(outs, fmt.Sprintf("o:%d", i))
	}
	if err := s.Insert(ctx, newAlert(t, 0, outs...)); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Insert of an alert with 100 outputs = %v, want ErrInvalid", err)
	}
}

// TestTxProxy checks the emulator's stand-in for TransactWriteItems: a
// failed condition cancels the transaction, reports why per item, and
// leaves the items written before it as they were.
func TestTxProxy(t *testing.T) {
	e := newEmulator(t)
	s := e.open(t, 3)
	a, b := newAlert(t, 1), newAlert(t, 2)
	if err := s.Insert(ctx, a); err != nil {
		t.Fatal(err)
	}
	wb, _ := s.putAlert(b)
	wa, _ := s.putAlert(a) // a exists: its condition fails
	_, err := e.client.TransactWriteItems(ctx, &ddb.TransactWriteItemsInput{TransactItems: append(wb, wa...)})
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) || len(tce.CancellationReasons) != 2 ||
		aws.ToString(tce.CancellationReasons[0].Code) != "None" ||
		aws.ToString(tce.CancellationReasons[1].Code) != "ConditionalCheckFailed" {
		t.Fatalf("TransactWriteItems = %v", err)
	}
	if _, err := s.Get(ctx, b.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an item of a cancelled transaction was kept: %v", err)
	}
	_, err = e.client.TransactWriteItems(ctx, &ddb.TransactWriteItemsInput{TransactItems: append(wb, wb...)})
	if err == nil || conditionFailed(err) {
		t.Errorf("two operations on one item = %v, want a validation error", err)
	}
}

// failing is an API whose every call fails with err.
type failing struct {
	API
	err error
}

func (f failing) GetItem(context.Context, *ddb.GetItemInput, ...func(*ddb.Options)) (*ddb.GetItemOutput, error) {
	return nil, f.err
}

func (f failing) Query(context.Context, *ddb.QueryInput, ...func(*ddb.Options)) (*ddb.QueryOutput, error) {
	return nil, f.err
}

func (f failing) UpdateItem(context.Context, *ddb.UpdateItemInput, ...func(*ddb.Options)) (*ddb.UpdateItemOutput, error) {
	return nil, f.err
}

func TestErrorKinds(t *testing.T) {
	tests := []struct {
		err         error
		unavailable bool
	}{
		{&smithy.GenericAPIError{Code: "ThrottlingException"}, true},
		{&types.ProvisionedThroughputExceededException{}, true},
		{&types.InternalServerError{}, true},
		{errors.New("dial tcp: connection refused"), true},
		{&smithy.GenericAPIError{Code: "ValidationException"}, false},
		{&types.ResourceNotFoundException{}, false},
		{context.Canceled, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%T %v", tt.err, tt.err), func(t *testing.T) {
			s, err := New(failing{err: tt.err}, Options{Tables: Tables{Alerts: "a", State: "s"}})
			if err != nil {
				t.Fatal(err)
			}
			_, gerr := s.Get(ctx, "x")
			ierr := s.Insert(ctx, newAlert(t, 1, "a:x"))
			_, derr := s.Due(ctx, store.DueRequest{Now: time.Now(), Limit: 1})
			for op, err := range map[string]error{"Get": gerr, "Insert": ierr, "Due": derr} {
				if errors.Is(err, store.ErrUnavailable) != tt.unavailable || !errors.Is(err, tt.err) {
					t.Errorf("%s = %v; unavailable %v, want %v", op, err, errors.Is(err, store.ErrUnavailable), tt.unavailable)
				}
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	for _, tt := range []struct {
		db   API
		opts Options
	}{
		{nil, Options{Tables: Tables{Alerts: "a", State: "s"}}},
		{failing{}, Options{Tables: Tables{Alerts: "a"}}},
		{failing{}, Options{Tables: Tables{State: "s"}}},
	} {
		if _, err := New(tt.db, tt.opts); err == nil {
			t.Errorf("New(%+v) accepted", tt.opts)
		}
	}
}

// TestCreateTablesAgain: creating existing tables again succeeds when
// their keys are the store's, and fails when a table of the name has
// other keys.
func TestCreateTablesAgain(t *testing.T) {
	e := newEmulator(t)
	names := Tables{Alerts: "again-alerts", State: "again-state"}
	for range 2 {
		if err := CreateTables(ctx, e.client, names); err != nil {
			t.Fatal(err)
		}
	}
	err := CreateTables(ctx, e.client, Tables{Alerts: "again-state", State: "again-other"})
	if err == nil || !strings.Contains(err.Error(), "another key schema") {
		t.Errorf("a table with other keys was accepted: %v", err)
	}
}
