// Package alert is sa's alert: what a rule produced from one record, plus the
// per-output delivery state the store keeps for it.
//
// The model keeps every field StreamAlert 3.5's Alert has (rule name and
// description, record, outputs, publishers, context, cluster, log source and
// type, source service and entity, created, staged, merge keys and window,
// and through the deliveries outputs_sent, attempts and dispatched) and adds
// what sa needs to be its own delivery queue: one [Delivery] per output with
// its status, attempts, last error and next attempt time, the links between
// merged alerts, and the rule's severity and tags.
//
// StreamAlert's naming trap is kept on purpose: LogSource holds the schema
// type ("cloudwatch:events") and LogType the parser ("json"), so publishers
// and outputs ported from StreamAlert read the same values.
//
// # JSON form
//
// An alert encodes as one JSON object, the form the CLI shows and output
// plugins receive as alert_json. [Alert.MarshalJSON] writes the full form;
// [Alert.Payload] writes the same object without the two keys that are
// delivery state ("deliveries" and "merged_into"), which is what outputs are
// sent: its bytes are the same on every attempt of every output, so an output
// can sign it or a receiver can deduplicate on it, and one output never sees
// another output's errors. Decoding either form and encoding it again gives
// the same bytes.
//
// The encoding is fixed:
//
//   - keys in byte order, every key always present ("" / [] / {} / false /
//     null when empty); the record and the context keep the key order they
//     arrived with, compacted;
//   - no insignificant whitespace; <, >, &, U+2028 and U+2029 inside strings
//     are written as \u003c, \u003e, \u0026, \u2028 and \u2029, as Go's
//     encoding/json writes them, so json.Marshal of an Alert, an Encoder and
//     [Alert.Payload] all give the same bytes;
//   - times are RFC 3339 in UTC with exactly six fractional digits,
//     "2024-05-01T12:00:00.000000Z" (StreamAlert's %Y-%m-%dT%H:%M:%S.%fZ);
//     an unset time is null;
//   - lists are sorted and free of duplicates, except publisher chains,
//     whose order is the order they run in.
//
// Keys, in the order they appear:
//
//	cluster            string  cluster the record came through
//	context            object  the rule's context, as the rule left it
//	created            time    when the rule fired
//	deliveries         array   full form only; one object per output, by output:
//	  attempts         int       attempts started, including one cut short by a crash
//	  error            string    the last failure, or why the output was given up
//	  last_attempt     time      start of the last attempt (StreamAlert's dispatched)
//	  leased_until     time      an attempt is in flight until then
//	  next_attempt     time      not to be tried before then; null means at once
//	  output           string    "service:descriptor"
//	  sent_at          time      when the output acknowledged the alert
//	  status           string    pending | held | sent | failed | merged
//	id                 string  UUIDv7: unique, sorts by creation time
//	log_source         string  schema type, e.g. "cloudwatch:events"
//	log_type           string  parser, e.g. "json"
//	merge_by_keys      array   keys, at any depth of the record, that must match to merge
//	merge_window_secs  int     how long a merge group stays open after its first alert
//	merged_from        array   on a merged alert: ids of the alerts it replaced
//	merged_into        string  full form only; id of the merged alert that replaced this one
//	outputs            array   every output the alert goes to, "service:descriptor"
//	publishers         object  output → publisher names, in the order they run
//	record             object  the record the rule matched, as classified
//	rule_description   string  the rule's description
//	rule_name          string  the rule's name
//	severity           string  the rule's severity
//	source_entity      string  stream, bucket, topic, app instance or ingest token
//	source_service     string  kinesis, s3, sns, streamalert_app, http, file, ...
//	staged             bool    the rule is staged, so only required outputs get it
//	tags               array   the rule's tags
//
// Fields may be added in later versions, always as new keys in byte order;
// consumers should ignore keys they do not know.
package alert
