package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Queue is what the dispatcher needs of the store; store.Queue.
type Queue interface {
	Due(ctx context.Context, req store.DueRequest) ([]store.Pair, error)
	Record(ctx context.Context, outcomes ...store.Outcome) error
}

// Sender calls output plugins; *pluginhost.Host is one. An error means the
// plugin could not be asked (see pluginhost.Transient).
type Sender interface {
	Send(ctx context.Context, name, instance string, alert, publication []byte) (saplugin.SendResult, error)
}

// Instances makes an output instance known to the plugin host before its
// first send. It returns an error wrapping ErrUnknownOutput for an output
// that is not configured.
type Instances interface {
	Ensure(service, descriptor string) error
}

// Composer composes the publication of an alert for one output;
// *publish.Composer is one. An error is final for that alert and output.
type Composer interface {
	Compose(a *alert.Alert, output string) ([]byte, error)
}

// ErrUnknownOutput is wrapped by Instances for outputs not configured.
var ErrUnknownOutput = errors.New("unknown output")

// Deps are the dispatcher's collaborators; Observer may be nil.
type Deps struct {
	Queue     Queue
	Sender    Sender
	Instances Instances
	Composer  Composer
	Observer  Observer
}

// Options tune a Dispatcher; zero fields take the defaults in parentheses.
type Options struct {
	// PerOutput caps the sends in flight to one output (4); Global caps
	// them across outputs (64).
	PerOutput int
	Global    int
	// Batch is how many pairs one lease takes (100); MaxHeld caps the
	// pairs leased and not yet finished across lanes (4096).
	Batch   int
	MaxHeld int
	// MaxQueued caps the pairs one lane holds waiting for a slot
	// (MaxHeld); a lane queues less when its output is slow.
	MaxQueued int
	// SendTimeout bounds one send (30s). Lease is how long a leased pair
	// is this dispatcher's (4×SendTimeout, at least 2m); it must exceed
	// SendTimeout, as a pair whose lease ends mid-send could be sent
	// again by whoever leases it next.
	SendTimeout time.Duration
	Lease       time.Duration
	// Poll is how often the store is asked for due pairs when idle (1s);
	// Wake asks at once.
	Poll time.Duration
	// BackoffBase is the first retry's backoff ceiling, doubled per
	// attempt (5s), and BackoffMax caps any wait, RetryAfter included (1h).
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// FlushSize and FlushInterval bound an outcome batch (100, 20ms).
	FlushSize     int
	FlushInterval time.Duration
	// DrainTimeout is how long shutdown waits for sends in flight (30s).
	DrainTimeout time.Duration
	// Now is the clock the store's times are read against (time.Now).
	Now func() time.Time
	// Jitter picks a wait in [0, d] (uniformly at random).
	Jitter func(d time.Duration) time.Duration
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.PerOutput, 4)
	def(&o.Global, 64)
	def(&o.Batch, 100)
	def(&o.MaxHeld, 4096)
	def(&o.MaxQueued, o.MaxHeld)
	def(&o.FlushSize, 100)
	dur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	dur(&o.SendTimeout, 30*time.Second)
	dur(&o.Lease, max(2*time.Minute, 4*o.SendTimeout))
	dur(&o.Poll, time.Second)
	dur(&o.BackoffBase, 5*time.Second)
	dur(&o.BackoffMax, time.Hour)
	dur(&o.FlushInterval, 20*time.Millisecond)
	dur(&o.DrainTimeout, 30*time.Second)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Jitter == nil {
		o.Jitter = func(d time.Duration) time.Duration { return rand.N(d + 1) }
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Dispatcher delivers due pairs until its Run ends.
type Dispatcher struct {
	deps Deps
	opts Options
	log  *slog.Logger
	wake chan struct{}
	slot chan struct{} // one token per send in flight, Global in all
	rec  *recorder

	mu       sync.Mutex
	ran      bool
	draining bool
	lanes    map[string]*lane
	active   map[pairKey]*job  // leased pairs being worked on
	acked    map[pairKey]int64 // delivered pairs; see ack
	dueCalls int64             // Due calls started
	held     int               // jobs admitted and not finished
	ensured  map[string]bool   // outputs whose instance is registered
	reported map[string]bool   // outputs whose configuration error was logged
	work     sync.WaitGroup    // lane workers
	sendCtx  context.Context   // parent of every send; cancelled at the drain deadline
	stop     context.CancelFunc
}

// New returns a dispatcher. It fails only on options that contradict each
// other or missing collaborators.
func New(deps Deps, opts Options) (*Dispatcher, error) {
	if deps.Queue == nil || deps.Sender == nil || deps.Instances == nil || deps.Composer == nil {
		return nil, fmt.Errorf("dispatch: Queue, Sender, Instances and Composer are required")
	}
	opts = opts.withDefaults()
	if opts.Lease <= opts.SendTimeout {
		return nil, fmt.Errorf("dispatch: lease %s must exceed the send timeout %s", opts.Lease, opts.SendTimeout)
	}
	if deps.Observer == nil {
		deps.Observer = nopObserver{}
	}
	d := &Dispatcher{
		deps: deps, opts: opts, log: opts.Logger.With("component", "dispatcher"),
		wake: make(chan struct{}, 1), slot: make(chan struct{}, opts.Global),
		lanes: map[string]*lane{}, active: map[pairKey]*job{}, acked: map[pairKey]int64{},
		ensured: map[string]bool{}, reported: map[string]bool{},
	}
	d.rec = newRecorder(deps.Queue, opts, d.committed, d.log)
	return d, nil
}

// Wake makes the dispatcher look for due pairs now rather than at its next
// poll: the runtime calls it after storing new alerts.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then shuts down as the package doc says and
// returns nil. It may be called once.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.mu.Lock()
	if d.ran {
		d.mu.Unlock()
		return fmt.Errorf("dispatch: Run called twice")
	}
	d.ran = true
	d.sendCtx, d.stop = context.WithCancel(context.WithoutCancel(ctx))
	d.mu.Unlock()
	defer d.stop()
	recorded := d.rec.start()
	d.leaseLoop(ctx)
	d.drain()
	d.rec.close()
	<-recorded
	return nil
}
