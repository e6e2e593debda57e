package classify

import (
	"encoding/json"

	"github.com/streamalert-go/sa/host/config"
)

// Source says where records came from: a service (kinesis, s3, sns,
// streamalert_app, or one of sa's own) and the resource within it (a
// stream, bucket, topic or app function name), as data_sources lists them.
type Source struct {
	Service  string
	Resource string
}

func (s Source) String() string { return s.Service + "/" + s.Resource }

// Result is the outcome for one raw record: the records classified from it,
// a failure, or both when the winning schema rejected some of the records
// it extracted.
type Result struct {
	Records []Record
	// Failure is nil when everything extracted from the raw record was
	// classified.
	Failure *Failure
}

// Record is one classified record.
type Record struct {
	LogType config.LogType
	// Parser is the schema's parser (json, csv, kv, syslog or a plugin's
	// name): StreamAlert's data_type.
	Parser  string
	Source  Source
	Cluster string
	// Index is the record's position among those the parser extracted from
	// its raw record (json_path elements, csv rows), counting rejected ones.
	Index int
	// Data is the record as one line of JSON: the parsed record with its
	// keys in input order and values converted to the schema's types, then
	// "streamalert:envelope_keys", then defaults for absent optional keys,
	// then "streamalert_normalization" (per-schema normalization) and
	// "streamalert:normalization" (normalized_types.json) when the log type
	// has them.
	Data json.RawMessage
	// Normalized lists the record's normalized values, both kinds, as
	// strings, so rules and threat intel can ask for values by data type
	// without decoding Data.
	Normalized []Normalized
}

// Normalized is one value of a normalized type ("sourceAddress",
// "ip_address").
type Normalized struct {
	Type  string
	Value string
}

// Values returns the record's values of the normalized type typ.
func (r *Record) Values(typ string) []string {
	var out []string
	for _, n := range r.Normalized {
		if n.Type == typ {
			out = append(out, n.Value)
		}
	}
	return out
}

// Failure is a raw record, or part of one, that was not classified. It
// holds what a person needs to fix the schema and what replay needs to try
// again.
type Failure struct {
	Source  Source
	Cluster string
	// Raw is a copy of the raw record, cut to Options.MaxFailedBytes; Size
	// is its full length.
	Raw  []byte
	Size int
	// Attempts lists every schema tried, in order, with the reason it did
	// not match; for a partial failure, the schemas tried before the one
	// that won.
	Attempts []Attempt
	// LogType is set for a partial failure: the schema that classified
	// some of the records and rejected those in Rejected.
	LogType  config.LogType
	Rejected []Rejection
}

// Truncated reports whether Raw holds less than the whole raw record, in
// which case it cannot be replayed.
func (f *Failure) Truncated() bool { return len(f.Raw) < f.Size }

// Attempt is one schema tried and why it did not match.
type Attempt struct {
	LogType config.LogType
	Reason  string
}

// Rejection is one record extracted by the winning schema's parser that
// failed the schema.
type Rejection struct {
	Index  int
	Reason string
}
