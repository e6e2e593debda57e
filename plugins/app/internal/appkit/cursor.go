package appkit

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// cursorVersion is the layout of the state this build writes. A state of
// another version is refused rather than guessed at.
const cursorVersion = 1

// DefaultMaxSeen bounds the ids a cursor remembers.
const DefaultMaxSeen = 20000

// idHashLen is the length of a remembered id: 72 bits of its SHA-256 in
// base64url, so ids of any length cost the same in the state.
const idHashLen = 12

// Verdict is what a cursor says about an event read from the vendor.
type Verdict int

// The verdicts.
const (
	// New events are to be emitted.
	New Verdict = iota
	// Seen events were emitted before.
	Seen
	// Old events are older than the cursor's start: their ids are no
	// longer remembered, so emitting them could repeat them.
	Old
)

// Cursor is the checkpoint of a source whose events carry an id and a
// time. Bound is the time below which every event was emitted, except
// ones the vendor makes visible late; each poll starts Overlap below it
// (Start) so those are collected, and the ids of the events emitted at or
// after Start are remembered so the overlap emits nothing twice.
//
// A poll marks each event it emits (Mark) before handing it to the
// Batcher, and moves Bound up (Advance) once everything below the new
// bound is emitted; every batch then carries a state that describes
// exactly the events emitted so far, and a poll resumed from any batch
// neither skips nor repeats one.
type Cursor struct {
	// Bound is the time below which every event was emitted.
	Bound time.Time
	// Overlap is how far below Bound a poll starts; it is the instance's
	// setting, not part of the state.
	Overlap time.Duration
	// Floor is raised when more ids were emitted inside the overlap than
	// MaxSeen: polls then start no earlier than it.
	Floor time.Time
	// Token is a vendor position (a page token, an after cursor) for the
	// plugin to resume from.
	Token string
	// Extra is any further state the plugin keeps (a pinned window).
	Extra json.RawMessage
	// NotBefore carries a vendor's rate-limit reset to the next poll.
	NotBefore time.Time
	// MaxSeen bounds the remembered ids (DefaultMaxSeen).
	MaxSeen int

	seen map[string]time.Time
}

// wireCursor is the JSON form of a Cursor:
//
//	{"v":1,"bound":"2026-01-02T15:04:05Z","seen":{"2026-01-02T15:03:59Z":"h1 h2"},"token":"..."}
type wireCursor struct {
	V         int               `json:"v"`
	Bound     string            `json:"bound"`
	Floor     string            `json:"floor,omitempty"`
	Seen      map[string]string `json:"seen,omitempty"`
	Token     string            `json:"token,omitempty"`
	Extra     json.RawMessage   `json:"extra,omitempty"`
	NotBefore string            `json:"not_before,omitempty"`
}

// NewCursor starts a cursor at bound.
func NewCursor(bound time.Time, overlap time.Duration) *Cursor {
	return &Cursor{Bound: norm(bound), Overlap: overlap, MaxSeen: DefaultMaxSeen, seen: map[string]time.Time{}}
}

// DecodeCursor reads a state; an empty one starts a cursor at initial.
func DecodeCursor(b []byte, overlap time.Duration, initial time.Time) (*Cursor, error) {
	if len(b) == 0 {
		return NewCursor(initial, overlap), nil
	}
	var w wireCursor
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("decode state: %s", jsonProblem(err))
	}
	if w.V != cursorVersion {
		return nil, fmt.Errorf("decode state: version %d is not supported (this build reads version %d)", w.V, cursorVersion)
	}
	c := NewCursor(time.Time{}, overlap)
	c.Token, c.Extra = w.Token, w.Extra
	var err error
	if c.Bound, err = parseTime(w.Bound); err != nil || c.Bound.IsZero() {
		return nil, fmt.Errorf("decode state: bad bound")
	}
	if c.Floor, err = parseTime(w.Floor); err != nil {
		return nil, fmt.Errorf("decode state: bad floor")
	}
	if c.NotBefore, err = parseTime(w.NotBefore); err != nil {
		return nil, fmt.Errorf("decode state: bad not_before")
	}
	for at, ids := range w.Seen {
		t, err := parseTime(at)
		if err != nil || t.IsZero() {
			return nil, fmt.Errorf("decode state: bad seen time")
		}
		for _, h := range strings.Fields(ids) {
			c.seen[h] = t
		}
	}
	return c, nil
}

// Start is where a poll begins reading: Overlap below Bound, or Floor.
func (c *Cursor) Start() time.Time {
	s := c.Bound.Add(-c.Overlap)
	if c.Floor.After(s) {
		return c.Floor
	}
	return s
}

// Check says whether an event is new, seen or too old to tell.
func (c *Cursor) Check(id string, t time.Time) Verdict {
	if _, ok := c.seen[hashID(id)]; ok {
		return Seen
	}
	if norm(t).Before(c.Start()) {
		return Old
	}
	return New
}

// Mark records an event as emitted. Call it before handing the event to
// the Batcher, so the batch's state includes it.
func (c *Cursor) Mark(id string, t time.Time) {
	c.seen[hashID(id)] = norm(t)
}

// Len is the number of remembered ids.
func (c *Cursor) Len() int { return len(c.seen) }

// Advance moves Bound up to t (never down) once every event before t has
// been emitted, and forgets the ids below the new Start.
func (c *Cursor) Advance(t time.Time) {
	if t = norm(t); t.After(c.Bound) {
		c.Bound = t
	}
	c.prune()
}

// prune drops ids below Start, then, past MaxSeen, the oldest instants
// whole, raising Floor to the oldest instant kept (never above Bound).
func (c *Cursor) prune() {
	start := c.Start()
	for h, t := range c.seen {
		if t.Before(start) {
			delete(c.seen, h)
		}
	}
	limit := c.MaxSeen
	if limit <= 0 {
		limit = DefaultMaxSeen
	}
	if len(c.seen) <= limit {
		return
	}
	byTime := map[time.Time][]string{}
	for h, t := range c.seen {
		byTime[t] = append(byTime[t], h)
	}
	times := make([]time.Time, 0, len(byTime))
	for t := range byTime {
		times = append(times, t)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	for len(times) > 1 && len(c.seen) > limit {
		for _, h := range byTime[times[0]] {
			delete(c.seen, h)
		}
		times = times[1:]
	}
	floor := times[0]
	if floor.After(c.Bound) {
		floor = c.Bound
	}
	if floor.After(c.Floor) {
		c.Floor = floor
	}
}

// Encode returns the state as JSON; equal cursors encode equally.
func (c *Cursor) Encode() []byte {
	w := wireCursor{V: cursorVersion, Bound: formatTime(c.Bound), Floor: formatTime(c.Floor),
		Token: c.Token, Extra: c.Extra, NotBefore: formatTime(c.NotBefore)}
	if len(c.seen) > 0 {
		groups := map[string][]string{}
		for h, t := range c.seen {
			k := formatTime(t)
			groups[k] = append(groups[k], h)
		}
		w.Seen = make(map[string]string, len(groups))
		for k, hs := range groups {
			slices.Sort(hs)
			w.Seen[k] = strings.Join(hs, " ")
		}
	}
	b, err := json.Marshal(w)
	if err != nil {
		// Strings and a RawMessage that came from JSON: cannot fail.
		panic(fmt.Sprintf("appkit: encode state: %v", err))
	}
	return b
}

func hashID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:idHashLen]
}

// norm drops the monotonic reading and location, so equal instants
// compare and encode equally.
func norm(t time.Time) time.Time { return t.Round(0).UTC() }

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return norm(t), err
}
