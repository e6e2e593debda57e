// Package parsekit is what the four built-in parsers share: the batch loop
// with its per-record guarantees, the options cache, reading the schema's
// "configuration" and "schema" objects, envelope extraction, and the rule
// for turning a raw record into text.
//
// The contract with the host, for every parser here:
//
//   - Exactly one result per raw record, in order; a failure of one record
//     never fails the batch. A batch error means the options or the schema
//     are unusable (gRPC code InvalidArgument) or the call was cancelled.
//   - A result either has Err set and no candidates (nothing usable came out
//     of the record: StreamAlert's "parse returned no valid record"), or has
//     candidates and no Err.
//   - A candidate with an empty Record stands for an element the parser
//     extracted but had to reject (a json_path element that is not an
//     object, a CSV row with the wrong number of columns): StreamAlert counts
//     those as invalid records of the schema that wins, so the host must
//     count them too, and must not classify them.
//   - Candidate.Record is a JSON object; for the JSON parser it is usually a
//     sub-slice of the raw record (whitespace and duplicate keys as written).
//     Candidate.Envelope is nil when the schema has no envelope_keys, else a
//     JSON object holding the envelope keys found in the enclosing document,
//     unconverted; it is shared by all candidates of a record.
package parsekit

import (
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Invalid returns an error saying the schema's options or keys cannot be
// used. It carries gRPC code InvalidArgument, which the SDK passes to the
// host unchanged, so the host can tell a misconfigured schema from a fault.
func Invalid(format string, args ...any) error {
	return status.Error(codes.InvalidArgument, fmt.Sprintf(format, args...))
}
