// Package deadletter keeps the records sa could not decode or classify, so
// that nothing is silently dropped: each failed record is stored with its
// source, the schemas tried and the reason for each, counted per source
// and log type, listed and filtered for a person to inspect, and replayed
// through the current schemas once they are fixed.
//
// The embedded store is a directory of append-only JSON Lines segment
// files, one entry per line:
//
//	segments/00000001.jsonl   entries, oldest first; a new segment begins
//	segments/00000002.jsonl   when the current one passes SegmentBytes
//	resolved.jsonl            ids of entries replayed successfully
//	cursor.json               where an interrupted replay resumes
//	LOCK                      held (flock) by the process using the store
//
// Durability: Put returns once its entries are written and the segment is
// fsynced (and, for a new segment, its directory), so an entry Put
// acknowledged survives a crash or power loss. A crash during Put can
// leave a torn last line, which Open cuts off: those entries were never
// acknowledged, and the caller still holds them. Resolve is durable the
// same way. Replay hands a fixed record on before resolving it, so a crash
// between the two replays it again: delivery from the store is
// at-least-once. A segment whose entries are all resolved is deleted.
//
// One process uses a store at a time; Open fails while another holds it.
package deadletter

import (
	"encoding/json"
	"time"
	"unicode/utf8"
)

// The stages a record can fail at.
const (
	StageDecode   = "decode"   // the delivery could not be turned into records
	StageClassify = "classify" // no schema took the record, or the winner rejected part of it
)

// Entry is one failed record.
type Entry struct {
	// ID is assigned by Put and never reused: the segment and the
	// entry's offset in it.
	ID       string
	Time     time.Time
	Stage    string
	Service  string
	Resource string
	Cluster  string
	// LogType is the schema that won a partial failure, "" when no schema
	// took the record.
	LogType string
	// Raw is the record as received, possibly cut short; Size is its full
	// length.
	Raw      []byte
	Size     int
	Attempts []Attempt
	Rejected []Rejection
	// Reason says why a record failed at the decode stage.
	Reason string
}

// Attempt is a schema tried and why it did not match.
type Attempt struct {
	LogType string `json:"log_type,omitempty"`
	Reason  string `json:"reason"`
}

// Rejection is a record the winning schema extracted and rejected.
type Rejection struct {
	Index  int    `json:"index"`
	Reason string `json:"reason"`
}

// Truncated reports whether Raw is shorter than the record.
func (e *Entry) Truncated() bool { return len(e.Raw) < e.Size }

// Replayable reports whether the entry can be classified again: a whole
// record that failed classification. Decode failures have no record to
// classify.
func (e *Entry) Replayable() bool {
	return e.Stage == StageClassify && !e.Truncated() && len(e.Raw) > 0
}

// entryJSON is the stored form. The record is kept as text when it is
// UTF-8, so a person can read the segment files, and in base64 otherwise.
type entryJSON struct {
	ID        string      `json:"id"`
	Time      time.Time   `json:"time"`
	Stage     string      `json:"stage"`
	Service   string      `json:"service"`
	Resource  string      `json:"resource"`
	Cluster   string      `json:"cluster,omitempty"`
	LogType   string      `json:"log_type,omitempty"`
	Size      int         `json:"size"`
	Raw       *string     `json:"raw,omitempty"`
	RawBase64 []byte      `json:"raw_base64,omitempty"`
	Attempts  []Attempt   `json:"attempts,omitempty"`
	Rejected  []Rejection `json:"rejected,omitempty"`
	Reason    string      `json:"reason,omitempty"`
}

// MarshalJSON writes the stored form.
func (e Entry) MarshalJSON() ([]byte, error) {
	j := entryJSON{ID: e.ID, Time: e.Time, Stage: e.Stage, Service: e.Service, Resource: e.Resource,
		Cluster: e.Cluster, LogType: e.LogType, Size: e.Size, Attempts: e.Attempts, Rejected: e.Rejected, Reason: e.Reason}
	if utf8.Valid(e.Raw) {
		s := string(e.Raw)
		j.Raw = &s
	} else {
		j.RawBase64 = e.Raw
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the stored form.
func (e *Entry) UnmarshalJSON(data []byte) error {
	var j entryJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*e = Entry{ID: j.ID, Time: j.Time, Stage: j.Stage, Service: j.Service, Resource: j.Resource,
		Cluster: j.Cluster, LogType: j.LogType, Size: j.Size, Attempts: j.Attempts, Rejected: j.Rejected, Reason: j.Reason}
	switch {
	case j.Raw != nil:
		e.Raw = []byte(*j.Raw)
	default:
		e.Raw = j.RawBase64
	}
	return nil
}
