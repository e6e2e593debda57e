package apptest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Event is one simulated vendor event.
type Event struct {
	// ID is unique within the source ("ev-000042"); fakes render it into
	// the vendor's own id field and the driver maps it back.
	ID string
	// Seq is the arrival order, from 1: what a vendor's insertion-ordered
	// ids and persistence cursors follow.
	Seq int
	// Time is the event's timestamp on the vendor's clock, truncated to
	// the source's granularity. Late events carry a time before their
	// arrival.
	Time time.Time
	// Arrived is when the event became visible at the vendor (our clock).
	Arrived time.Time
	// Stored is the same instant on the vendor's clock: the persistence
	// time some vendors filter polling queries on.
	Stored time.Time
	// Late is set for events whose time is before their arrival.
	Late bool
}

// SourceOptions shape a Source. Zero fields take the defaults in
// parentheses.
type SourceOptions struct {
	// Seed makes the source's choices repeatable (1).
	Seed uint64
	// Skew is the most a late event's time lies before its arrival (3s).
	Skew time.Duration
	// LateRatio is the share of events that arrive late (0.2).
	LateRatio float64
	// ClockOffset is the vendor's clock minus ours (0): event times and
	// the vendor's "now" use the vendor's clock.
	ClockOffset time.Duration
	// Granularity truncates event times (1ms); vendors with Unix-second
	// timestamps use time.Second.
	Granularity time.Duration
	// PerRequest is the most events arriving during one vendor request,
	// to make pages shift while a plugin walks them (3; negative: none).
	PerRequest int
}

// Source is a vendor's event log that grows while a plugin polls it. It
// is safe for concurrent use by the fake server and the driver.
type Source struct {
	opts SourceOptions

	mu      sync.Mutex
	rng     *rand.Rand
	events  []Event
	stopped bool
}

// NewSource returns an empty source.
func NewSource(o SourceOptions) *Source {
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Skew == 0 {
		o.Skew = 3 * time.Second
	}
	if o.LateRatio == 0 {
		o.LateRatio = 0.2
	}
	if o.Granularity == 0 {
		o.Granularity = time.Millisecond
	}
	if o.PerRequest == 0 {
		o.PerRequest = 3
	}
	return &Source{opts: o, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))}
}

// Now is the vendor's clock.
func (s *Source) Now() time.Time { return time.Now().Add(s.opts.ClockOffset) }

// Generate makes n events arrive now, unless the source was stopped.
func (s *Source) Generate(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	for range n {
		arrived := time.Now()
		at := arrived.Add(s.opts.ClockOffset)
		late := s.rng.Float64() < s.opts.LateRatio
		if late {
			at = at.Add(-time.Duration(s.rng.Int64N(int64(s.opts.Skew))))
		}
		seq := len(s.events) + 1
		s.events = append(s.events, Event{ID: fmt.Sprintf("ev-%06d", seq), Seq: seq,
			Time: at.Truncate(s.opts.Granularity).UTC(), Arrived: arrived, Stored: arrived.Add(s.opts.ClockOffset).UTC(), Late: late})
	}
}

// GenerateAt makes n events arrive now carrying the time at, on the
// vendor's clock: events recorded very late, or ahead of time.
func (s *Source) GenerateAt(n int, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	for range n {
		arrived := time.Now()
		seq := len(s.events) + 1
		s.events = append(s.events, Event{ID: fmt.Sprintf("ev-%06d", seq), Seq: seq, Time: at.Truncate(s.opts.Granularity).UTC(),
			Arrived: arrived, Stored: arrived.Add(s.opts.ClockOffset).UTC(), Late: at.Before(arrived.Add(s.opts.ClockOffset))})
	}
}

// Tick is called by a fake vendor on each request: a few events arrive
// while the plugin is in the middle of its poll.
func (s *Source) Tick() {
	if s.opts.PerRequest < 0 {
		return
	}
	s.mu.Lock()
	n := s.rng.IntN(s.opts.PerRequest + 1)
	s.mu.Unlock()
	s.Generate(n)
}

// Stop ends arrivals, so a final drain can collect everything.
func (s *Source) Stop() {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
}

// Visible returns the events that have arrived, in arrival order.
func (s *Source) Visible() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events)
}

// Len is the number of events that have arrived.
func (s *Source) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.events)
}

// ByTime sorts events oldest first, ties in arrival order.
func ByTime(events []Event) []Event {
	out := slices.Clone(events)
	slices.SortStableFunc(out, func(a, b Event) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return a.Seq - b.Seq
	})
	return out
}

// NewestFirst sorts events newest first, ties newest arrival first.
func NewestFirst(events []Event) []Event {
	out := ByTime(events)
	slices.Reverse(out)
	return out
}
