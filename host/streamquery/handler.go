package streamquery

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// Options build a Handler. Athena, Kinesis, Config and Stream are
// required; Lambda and Function are needed to hand over.
type Options struct {
	Athena  AthenaAPI
	Kinesis KinesisAPI
	// Lambda invokes Function (with Qualifier, when set), the function
	// itself, to hand a run over.
	Lambda    LambdaAPI
	Function  string
	Qualifier string
	Config    *Config
	// Queries are every query of the deployment; a run selects from them
	// by tags.
	Queries []*Query
	// Database, Workgroup (default "primary") and OutputLocation (an
	// s3:// URI) are where queries run and Athena writes results.
	Database, Workgroup, OutputLocation string
	// Stream is the Kinesis stream the results go to.
	Stream string
	// Region is the region of the console links.
	Region string
	// Margin is the time an invocation keeps for itself: with less than
	// this left it hands over (default 15 s). Work that could run into
	// the last handOverTime of it is cut short.
	Margin time.Duration
	// FirstPoll is the first pause between polls (default 1 s); each pause
	// doubles up to the config's sfn_wait_secs.
	FirstPoll time.Duration
	// RetryWait is the first pause before Kinesis records it refused are
	// sent again (default 200 ms); it doubles each try.
	RetryWait time.Duration
	// MaxResultBytes bounds the rows read of one result, as encoded JSON
	// (default 64 MiB), so a huge result cannot exhaust the function's
	// memory; the record of a result cut there says so in its error.
	MaxResultBytes int
	Now            func() time.Time
	Log            *slog.Logger
}

// handOverTime is what handing over needs: encoding the state and one
// Invoke call.
const handOverTime = 5 * time.Second

// Handler is the scheduled queries function.
type Handler struct {
	o Options
}

// New returns the function's handler.
func New(o Options) (*Handler, error) {
	if o.Athena == nil || o.Kinesis == nil || o.Config == nil || o.Stream == "" {
		return nil, errors.New("streamquery: Athena, Kinesis, Config and Stream are required")
	}
	if o.Workgroup == "" {
		o.Workgroup = "primary"
	}
	if o.Margin <= 0 {
		o.Margin = 15 * time.Second
	}
	// Below this, the work would stop before the hand-over begins.
	o.Margin = max(o.Margin, 2*handOverTime)
	if o.FirstPoll <= 0 {
		o.FirstPoll = time.Second
	}
	if o.RetryWait <= 0 {
		o.RetryWait = 200 * time.Millisecond
	}
	if o.MaxResultBytes <= 0 {
		o.MaxResultBytes = 64 << 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Handler{o: o}, nil
}

// Event is what the function is invoked with: a pack's schedule sends the
// configuration; a hand-over sends it back with the run's state.
type Event struct {
	Configuration *Configuration `json:"streamquery_configuration,omitempty"`
	State         *State         `json:"streamquery_state,omitempty"`
}

// Configuration starts a run: clock is the schedule's event time (RFC
// 3339), which the queries' parameters are computed from; tags select the
// queries.
type Configuration struct {
	Clock string   `json:"clock"`
	Tags  []string `json:"tags"`
}

// State is a run handed from one invocation to the next.
type State struct {
	// Run names the run: the same clock and tags make the same run.
	Run   string    `json:"run"`
	Clock time.Time `json:"clock"`
	Tags  []string  `json:"tags"`
	// Started is when the run's first invocation began; the run gives up
	// on its queries sfn_timeout_secs after.
	Started   time.Time    `json:"started"`
	Handovers int          `json:"handovers"`
	Queries   []QueryState `json:"queries"`
}

// QueryState is one query of a run: what was sent to Athena, its
// execution, and whether its result went out.
type QueryState struct {
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Tags        []string          `json:"tags,omitempty"`
	Query       string            `json:"query,omitempty"`
	Params      map[string]string `json:"query_parameters,omitempty"`
	ExecutionID string            `json:"query_execution_id,omitempty"`
	// Error says why the query has no result when Athena has none to
	// say: it could not be started, or it was given up on.
	Error string `json:"error,omitempty"`
	// Sent is set once the query's record is on the stream.
	Sent bool `json:"sent,omitempty"`

	status  status // the last status read
	lastErr error  // the last error met, for the log
}

// Summary is what an invocation returns.
type Summary struct {
	Run     string `json:"run"`
	Queries int    `json:"queries"`
	// Sent counts the results this invocation put on the stream; Failed
	// counts those that carry an error.
	Sent   int `json:"sent"`
	Failed int `json:"failed"`
	// Pending counts the queries handed over unfinished.
	Pending    int  `json:"pending"`
	HandedOver bool `json:"handed_over"`
}

// Handle runs or continues a run: it starts the queries not yet started,
// polls the others, sends each result once it is read, and returns when
// all are sent, handing over first when the invocation's time runs short.
func (h *Handler) Handle(ctx context.Context, ev Event) (Summary, error) {
	st, err := h.state(ev)
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{Run: st.Run, Queries: len(st.Queries)}
	log := h.o.Log.With("run", st.Run, "tags", strings.Join(st.Tags, ","))
	if len(st.Queries) == 0 {
		log.Warn("streamquery: no query carries every tag of the run; nothing to do")
		return sum, nil
	}
	work, cancel := h.workContext(ctx)
	defer cancel()
	wait, gaveUp := h.o.FirstPoll, false
	for {
		h.round(work, st, &sum, log)
		switch {
		case st.done():
			log.Info("streamquery: run done", "queries", len(st.Queries), "sent", sum.Sent, "failed", sum.Failed, "handovers", st.Handovers)
			return sum, nil
		case h.o.Now().Sub(st.Started) >= h.o.Config.Timeout:
			if gaveUp {
				return sum, st.unsentError(h.o.Stream)
			}
			h.giveUp(work, st, log)
			gaveUp = true
			continue
		case ctx.Err() != nil:
			return sum, fmt.Errorf("streamquery: run %s: %w", st.Run, ctx.Err())
		case h.short(ctx):
			return h.handOver(ctx, ev, st, sum, log)
		}
		left := st.Started.Add(h.o.Config.Timeout).Sub(h.o.Now())
		_ = sleep(ctx, max(min(wait, h.untilMargin(ctx), left), 0))
		wait = min(wait*2, h.o.Config.Wait)
	}
}

// state returns the run the event continues or starts.
func (h *Handler) state(ev Event) (*State, error) {
	if ev.State != nil {
		st := ev.State
		if st.Run == "" || st.Started.IsZero() {
			return nil, errors.New("streamquery: streamquery_state: no run or start time; not a state this function handed over")
		}
		return st, nil
	}
	c := ev.Configuration
	if c == nil {
		return nil, errors.New("streamquery: event has no streamquery_configuration")
	}
	clock, err := time.Parse(time.RFC3339Nano, c.Clock)
	if err != nil {
		return nil, fmt.Errorf("streamquery: streamquery_configuration.clock %q: want an RFC 3339 time such as 2026-11-01T09:00:00Z", c.Clock)
	}
	if len(c.Tags) == 0 || slices.Contains(c.Tags, "") {
		return nil, errors.New("streamquery: streamquery_configuration.tags: want at least one tag, none empty")
	}
	clock = clock.UTC()
	st := &State{Run: runID(clock, c.Tags), Clock: clock, Tags: c.Tags, Started: h.o.Now().UTC()}
	for _, q := range Select(h.o.Queries, c.Tags) {
		text, params := q.Render(clock)
		st.Queries = append(st.Queries, QueryState{Name: q.Name, Description: q.Description, Tags: q.Tags, Query: text, Params: params})
	}
	return st, nil
}

// runID names the run of clock and tags.
func runID(clock time.Time, tags []string) string {
	t := slices.Clone(tags)
	slices.Sort(t)
	sum := sha256.Sum256([]byte(clock.Format(time.RFC3339Nano) + "\x00" + strings.Join(t, "\x00")))
	return hex.EncodeToString(sum[:16])
}

// workContext is ctx ending handOverTime before its deadline, so that
// reading a result or putting records never leaves too little time to
// hand over.
func (h *Handler) workContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if d, ok := ctx.Deadline(); ok {
		return context.WithDeadline(ctx, d.Add(-handOverTime))
	}
	return context.WithCancel(ctx)
}

// short reports whether the invocation has less than the margin left.
func (h *Handler) short(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ok && time.Until(d) < h.o.Margin
}

// untilMargin is the time before the invocation must hand over.
func (h *Handler) untilMargin(ctx context.Context) time.Duration {
	d, ok := ctx.Deadline()
	if !ok {
		return time.Hour
	}
	return max(time.Until(d)-h.o.Margin, 0)
}

func (st *State) done() bool {
	for _, q := range st.Queries {
		if !q.Sent {
			return false
		}
	}
	return true
}

// unsentError is the error of a run that ends with results it could not
// send.
func (st *State) unsentError(stream string) error {
	var names []string
	var errs []error
	for _, q := range st.Queries {
		if !q.Sent {
			names = append(names, q.Name)
			errs = append(errs, q.lastErr)
		}
	}
	return fmt.Errorf("streamquery: run %s: results of %s not sent to stream %s: %w", st.Run, strings.Join(names, ", "), stream, errors.Join(errs...))
}
