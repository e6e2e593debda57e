package aws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/streamalert-go/sa/host/dispatch"
	"github.com/streamalert-go/sa/host/merge"
	"github.com/streamalert-go/sa/host/metrics"
	"github.com/streamalert-go/sa/host/store"
)

// MergerHandler is the merger function, run on a schedule (StreamAlert's
// rate(1 minute), concurrency 1): one merge pass per invocation.
type MergerHandler struct {
	m       *merge.Merger
	metrics *metrics.Pipeline
}

// NewMerger returns the merger function's handler over the alert store;
// p, when set, counts the merges.
func NewMerger(q store.MergeQueue, p *metrics.Pipeline, log *slog.Logger) *MergerHandler {
	return &MergerHandler{m: merge.New(q, merge.Options{Logger: log}), metrics: p}
}

// Handle runs one merge pass.
func (h *MergerHandler) Handle(ctx context.Context) (merge.TickResult, error) {
	res, err := h.m.Tick(ctx, time.Now())
	if h.metrics != nil {
		h.metrics.Merged(res.Groups, res.Replaced)
	}
	if err != nil {
		return res, fmt.Errorf("merger: %w", err)
	}
	return res, nil
}

// ProcessorOptions build a ProcessorHandler. Queue, Sender, Instances and
// Composer are required.
type ProcessorOptions struct {
	Queue     store.Queue
	Sender    dispatch.Sender
	Instances dispatch.Instances
	Composer  dispatch.Composer
	// Observer, when set, is told every delivery attempt's outcome
	// (*metrics.Pipeline is one).
	Observer dispatch.Observer
	// Reserve is the time left before the invocation's deadline at which
	// the processor stops leasing (SendTimeout+5s); sends in flight then
	// have until the deadline to finish.
	Reserve time.Duration
	// Dispatch tunes each pass's dispatcher. Poll defaults to 100ms, so a
	// pass notices quickly that nothing more is due; SendTimeout to 30s.
	Dispatch dispatch.Options
	Log      *slog.Logger
}

// ProcessorHandler is the alert processor function: each invocation
// delivers due alerts through the output plugins packaged with the
// function until none is due or the deadline nears. Plugin processes and
// configured instances outlive the invocation, for the sandbox's life.
type ProcessorHandler struct {
	o ProcessorOptions
}

// NewProcessor returns the processor function's handler.
func NewProcessor(o ProcessorOptions) (*ProcessorHandler, error) {
	if o.Queue == nil || o.Sender == nil || o.Instances == nil || o.Composer == nil {
		return nil, errors.New("processor: Queue, Sender, Instances and Composer are required")
	}
	if o.Dispatch.Poll <= 0 {
		o.Dispatch.Poll = 100 * time.Millisecond
	}
	if o.Dispatch.SendTimeout <= 0 {
		o.Dispatch.SendTimeout = 30 * time.Second
	}
	if o.Reserve <= 0 {
		o.Reserve = o.Dispatch.SendTimeout + 5*time.Second
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	o.Dispatch.Logger = o.Log
	return &ProcessorHandler{o: o}, nil
}

// PassResult counts what one processor pass did.
type PassResult struct {
	// Leased pairs were attempted; Sent of them were delivered.
	Leased int `json:"leased"`
	Sent   int `json:"sent"`
	// Deadline is set when the pass stopped for the deadline with work
	// possibly left, which the next invocation picks up.
	Deadline bool `json:"deadline"`
}

// Handle runs one dispatch pass.
func (h *ProcessorHandler) Handle(ctx context.Context) (PassResult, error) {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if dl, ok := ctx.Deadline(); ok {
		var stop context.CancelFunc
		runCtx, stop = context.WithDeadline(runCtx, dl.Add(-h.o.Reserve))
		defer stop()
	}
	q := &idleQueue{q: h.o.Queue, out: map[pairKey]bool{}, idle: cancel}
	opts := h.o.Dispatch
	opts.DrainTimeout = h.o.Reserve - time.Second
	d, err := dispatch.New(dispatch.Deps{
		Queue: q, Sender: h.o.Sender, Instances: h.o.Instances, Composer: h.o.Composer, Observer: h.o.Observer,
	}, opts)
	if err != nil {
		return PassResult{}, fmt.Errorf("processor: %w", err)
	}
	if err := d.Run(runCtx); err != nil {
		return PassResult{}, fmt.Errorf("processor: %w", err)
	}
	res := q.result()
	res.Deadline = runCtx.Err() == context.DeadlineExceeded
	if q.err != nil && res.Leased == 0 {
		return res, fmt.Errorf("processor: %w", q.err)
	}
	return res, nil
}

type pairKey struct{ alert, output string }

// idleQueue watches the dispatcher's store calls and ends the pass once a
// lease finds nothing due while every pair leased before has its outcome
// recorded.
type idleQueue struct {
	q    store.Queue
	idle func()

	mu     sync.Mutex
	out    map[pairKey]bool
	leased int
	sent   int
	err    error
}

func (q *idleQueue) Due(ctx context.Context, req store.DueRequest) ([]store.Pair, error) {
	pairs, err := q.q.Due(ctx, req)
	q.mu.Lock()
	defer q.mu.Unlock()
	if err != nil {
		q.err = err
		if len(q.out) == 0 {
			q.idle() // the store is down: end the pass, report it
		}
		return nil, err
	}
	for _, p := range pairs {
		q.out[pairKey{p.Alert.ID, p.Output}] = true
	}
	q.leased += len(pairs)
	if len(pairs) == 0 && len(q.out) == 0 {
		q.idle()
	}
	return pairs, nil
}

func (q *idleQueue) Record(ctx context.Context, outcomes ...store.Outcome) error {
	err := q.q.Record(ctx, outcomes...)
	if err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, o := range outcomes {
		delete(q.out, pairKey{o.AlertID, o.Output})
		if o.Result == store.Sent {
			q.sent++
		}
	}
	return nil
}

func (q *idleQueue) result() PassResult {
	q.mu.Lock()
	defer q.mu.Unlock()
	return PassResult{Leased: q.leased, Sent: q.sent}
}

var _ store.Queue = (*idleQueue)(nil)
