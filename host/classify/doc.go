// Package classify turns raw records into typed, normalized records of a
// log type, the way StreamAlert 3.5's classifier does, with the parsers
// running as plugins (or linked in) and the rest of StreamAlert's pipeline
// in the host.
//
// # Pipeline
//
// For a batch of raw records from one source (service and resource), the
// candidate schemas are those of the log families the source's
// data_sources entry lists, in StreamAlert's priority order
// (config.SchemasForSource). The schemas are walked in that order; the
// records still unclassified go to each schema's parser in one Parse call
// per chunk of a few megabytes, and a big batch is split into up to
// Options.Workers shards walked concurrently, so plugin calls grow with the
// number of schemas, not of records. For each candidate record a parser
// returns, the host runs StreamAlert's common pipeline in its order:
// envelope check, conversion and defaults; exact top-level key check with
// optional keys excused; nested key check; type conversion; log_patterns;
// then the record is built with "streamalert:envelope_keys", defaults for
// absent optional keys, and normalization.
//
// The first schema under which a raw record yields at least one valid
// record claims it. The other records that schema extracted from it (a
// json_path element that fails, a csv row with the wrong columns) are
// rejected for good, not tried against later schemas — StreamAlert's rule —
// and come back in the Result's Failure, with the classified ones, as a
// partial failure. A record no schema claims comes back as a Failure
// listing every schema tried and its reason. Nothing is dropped.
//
// Schemas that cannot accept a record judging by its top-level keys alone
// are skipped without a parser call (see prefilter.go): that keeps a source
// listing families of dozens of schemas, like carbonblack, as cheap as one
// listing a single schema, without changing any outcome.
//
// # Differences from StreamAlert
//
// StreamAlert's behaviour is kept where it decides which log type a record
// gets and which values rules see, Python quirks included: values Python
// finds false skip conversion (null passes "integer"), "boolean" is
// str(v).lower() == "true", int() truncates floats and reads " 12 " and
// "1_000", float and int output follow Python's str(), {} takes any value,
// [] any list, nested objects need exactly their keys. What is changed,
// because it is a Python accident, a crash or a defect:
//
//   - str(True) is "True" in Python; sa converts true to "true". str() of
//     an object or list is a Python repr ("{'a': 1}"); sa writes compact
//     JSON. The same holds for normalized values.
//   - float("nan"), float("inf") and numbers that overflow to infinity are
//     accepted by Python and give records holding NaN/Infinity, which is
//     not JSON; sa rejects the value. int() of a string reads ASCII digits
//     only (Python also reads other scripts' digits) and at most 4300 of
//     them (as Python 3.11).
//   - An optional key whose type is an object with keys is, in StreamAlert,
//     checked against {} when absent and fails the record, so it is
//     required in practice; sa excuses it, and its default is an object of
//     its keys' defaults instead of {}.
//   - log_patterns: StreamAlert returns the result of the first nested or
//     envelope entry and ignores the entries around it; sa requires every
//     entry. A pattern on a value that is not a string, or a nested
//     pattern on an absent key, fails the record where Python raised.
//     A reversed glob range ("[z-a]") matches nothing where Python raised.
//   - A schema with no keys takes any JSON object; in StreamAlert it also
//     took non-objects, then crashed adding the envelope.
//   - Normalization v2 finds nothing through a value that is not an object
//     (Python raised AttributeError).
//   - Normalization v1 (normalized_types.json), which 3.5 no longer
//     applies but its threat intel still expects, is applied as 3.2 did,
//     under "streamalert:normalization", with values as strings, objects,
//     nulls and "" skipped, and only types that matched listed.
//   - Record.Normalized gives both kinds' values flattened to strings, the
//     one shape rules and threat intel match on (StreamAlert's threat intel
//     expected v1 while its normalizer wrote v2).
//   - A parser error that fails a whole batch (a plugin refusing a
//     schema's options, a plugin not installed) becomes each record's
//     reason for that schema, and classification goes on with the next
//     schema; only errors that may pass (a plugin restarting) fail Classify,
//     for the caller to retry the batch.
//
// Key order: a record keeps its keys in input order, then the envelope,
// then optional defaults in the order optional_top_level_keys lists them
// (StreamAlert iterates a Python set there), then normalization. Values a
// schema leaves alone are copied as they came, minus insignificant
// whitespace, so numbers keep every digit; a key given twice keeps its
// first position and its last value, as Python's json module does.
package classify
