package dynamodb

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/streamalert-go/sa/host/store"
	"github.com/streamalert-go/sa/host/store/storetest"
	"github.com/streamalert-go/sa/internal/awsemu"
)

var ctx = context.Background()

// emulator is one dynalite behind a txProxy, shared by a test's subtests;
// each store gets tables of its own.
type emulator struct {
	client *ddb.Client
	proxy  *awsemu.TxProxy
	n      atomic.Int64
}

func newEmulator(t *testing.T) *emulator {
	endpoint, proxy := awsemu.StartTxProxy(t, awsemu.Dynalite(t))
	return &emulator{client: ddb.NewFromConfig(awsemu.Config(endpoint)), proxy: proxy}
}

// open creates fresh tables and a store over them.
func (e *emulator) open(t *testing.T, budget int) *Store {
	t.Helper()
	n := e.n.Add(1)
	names := Tables{Alerts: fmt.Sprintf("sa-alerts-%d", n), State: fmt.Sprintf("sa-state-%d", n)}
	if err := CreateTables(ctx, e.client, names); err != nil {
		t.Fatalf("CreateTables: %v", err)
	}
	s, err := New(e.client, Options{Tables: names, MaxAttempts: budget})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	e := newEmulator(t)
	storetest.Run(t, func(t *testing.T) store.Store { return e.open(t, storetest.Budget) })
	if e.proxy.Count() == 0 {
		t.Error("no TransactWriteItems call reached the emulator")
	}
}
