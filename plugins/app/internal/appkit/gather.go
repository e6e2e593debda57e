package appkit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// defaultBudget is the host's default when a request carries none.
const defaultBudget = 5 * time.Minute

// Spec describes a plugin to Gather.
type Spec struct {
	// Name and Version name the plugin in messages and the User-Agent.
	Name    string
	Version string
	// Schema is the plugin's schema; its secret properties are masked in
	// every message.
	Schema schema.Schema
	// RateLimit, ErrorText and MinInterval configure the Client.
	RateLimit   RateLimitFunc
	ErrorText   func(body []byte) string
	MinInterval time.Duration
	// Logger receives the poll's notes; nil discards them.
	Logger *slog.Logger
	// Now is the plugin's clock (time.Now): the first poll's start is
	// taken from it, and polls read it as Poll.Now.
	Now func() time.Time
}

// Event is one log read from the vendor.
type Event struct {
	// ID identifies the event at the vendor (see ContentIDs for vendors
	// without ids).
	ID string
	// Time is the event's own time, the one the vendor filters on.
	Time time.Time
	// Raw is the log as emitted: the vendor's JSON object.
	Raw []byte
}

// Poll is one Gather in progress, handed to the plugin's poll function.
type Poll struct {
	// Ctx ends at the budget's deadline; make every vendor call with it.
	Ctx      context.Context
	Budget   *Budget
	Cursor   *Cursor
	Client   *Client
	Settings Settings
	Config   schema.Config
	Log      *slog.Logger
	// Now is the plugin's clock, Spec.Now.
	Now func() time.Time
	// KeepOld emits events older than the cursor's start instead of
	// skipping them, for a vendor cursor that only ever returns events
	// not returned before (Okta's polling cursor).
	KeepOld bool

	batch *Batcher
	stats pollStats
}

type pollStats struct{ fresh, seen, old int }

// Emit hands the new events of a page to the host: events the cursor has
// seen are dropped, the rest are marked and queued in order.
func (p *Poll) Emit(events []Event) error {
	for _, e := range events {
		switch p.Cursor.Check(e.ID, e.Time) {
		case Seen:
			p.stats.seen++
			continue
		case Old:
			if !p.KeepOld {
				p.stats.old++
				continue
			}
		}
		p.stats.fresh++
		p.Cursor.Mark(e.ID, e.Time)
		if err := p.batch.Add(e.Raw); err != nil {
			return err
		}
	}
	return nil
}

// Flush sends the queued logs now, with the cursor as it stands.
func (p *Poll) Flush() error { return p.batch.Flush() }

// Batcher exposes the poll's batcher, to tune its bounds.
func (p *Poll) Batcher() *Batcher { return p.batch }

// Gather runs one poll of an instance: it parses the common settings,
// starts the budget, the cursor (from req.State, or Lookback before now)
// and the client, calls poll, and sends the final batch. poll reads pages
// while Budget.Another allows, passes their events to Poll.Emit, moves the
// cursor, and reports whether pages remain. A poll stopped by the budget
// (ErrOutOfBudget) ends cleanly with More set; any other error is returned
// after the logs already read are sent with the state covering them.
func Gather(ctx context.Context, req saplugin.GatherRequest, emit func(saplugin.Batch) error, spec Spec,
	poll func(*Poll) (more bool, err error)) error {
	p, cancel, err := start(ctx, req, emit, spec)
	if err != nil {
		return fmt.Errorf("%s: %w", spec.Name, err)
	}
	defer cancel()
	defer p.Client.Close()
	began := time.Now()
	more, err := poll(p)
	if errors.Is(err, ErrOutOfBudget) || (err != nil && p.Ctx.Err() != nil && ctx.Err() == nil) {
		p.Log.Info("poll stopped at the end of its budget; the next poll continues", "reason", err.Error())
		more, err = true, nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", spec.Name, ctx.Err())
	}
	if ferr := p.batch.Finish(more); ferr != nil {
		return fmt.Errorf("%s: %w", spec.Name, ferr)
	}
	p.report(time.Since(began), more, err)
	if err != nil {
		return fmt.Errorf("%s: %w", spec.Name, err)
	}
	return nil
}

// start sets a poll up.
func start(ctx context.Context, req saplugin.GatherRequest, emit func(saplugin.Batch) error, spec Spec) (*Poll, context.CancelFunc, error) {
	set, problems := ParseSettings(req.Config)
	if err := schema.ProblemsError(problems); err != nil {
		return nil, nil, fmt.Errorf("invalid configuration: %w", err)
	}
	log := spec.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("instance", req.Instance, "type", set.Type)
	now := spec.Now
	if now == nil {
		now = time.Now
	}
	total := req.Budget
	if total <= 0 {
		total = defaultBudget
	}
	budget := NewBudget(total)
	cur, err := DecodeCursor(req.State, set.Overlap, now().Add(-set.Lookback))
	if err != nil {
		return nil, nil, err
	}
	client, err := NewClient(Options{Settings: set, Budget: budget, UserAgent: "sa-app-" + spec.Name + "/" + spec.Version,
		Secrets: Secrets(spec.Schema, req.Config), RateLimit: spec.RateLimit, ErrorText: spec.ErrorText,
		MinInterval: spec.MinInterval, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	client.SetPause(cur.NotBefore)
	bctx, cancel := budget.Context(ctx)
	p := &Poll{Ctx: bctx, Budget: budget, Cursor: cur, Client: client, Settings: set, Config: req.Config, Log: log, Now: now}
	p.batch = NewBatcher(emit, func() []byte {
		cur.NotBefore = time.Time{}
		if pause := client.Pause(); pause.After(time.Now()) {
			cur.NotBefore = pause
		}
		return cur.Encode()
	}, req.State)
	p.batch.MaxLogs = set.BatchSize
	return p, cancel, nil
}

// report logs the poll's outcome.
func (p *Poll) report(took time.Duration, more bool, err error) {
	if p.stats.old > 0 {
		p.Log.Warn("events older than the overlap window were skipped; raise overlap_seconds if the vendor publishes events this late",
			"skipped", p.stats.old, "overlap", p.Cursor.Overlap.String())
	}
	attrs := []any{"emitted", p.stats.fresh, "already_emitted", p.stats.seen, "more", more,
		"took", took.Round(time.Millisecond).String(), "bound", formatTime(p.Cursor.Bound)}
	if err != nil {
		p.Log.Warn("poll failed", append(attrs, "error", err.Error())...)
		return
	}
	p.Log.Info("poll done", attrs...)
}

// ContentIDs gives events without a vendor id an id from their content:
// the SHA-256 of the compacted JSON, plus the occurrence number among
// identical events of the same page, so two identical events of one
// second stay two events.
func ContentIDs(raws [][]byte) []string {
	ids := make([]string, len(raws))
	count := map[string]int{}
	for i, raw := range raws {
		var buf bytes.Buffer
		if json.Compact(&buf, raw) != nil {
			buf.Reset()
			buf.Write(raw)
		}
		sum := sha256.Sum256(buf.Bytes())
		h := hex.EncodeToString(sum[:])
		count[h]++
		ids[i] = h + "#" + strconv.Itoa(count[h])
	}
	return ids
}
