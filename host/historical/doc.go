// Package historical keeps every classified record of the log types a
// deployment enables, and every alert, in S3 for search with Athena, as
// StreamAlert's historical search did (reference §1.7, §7.3): records go
// through one Amazon Data Firehose delivery stream per log type
// (<prefix>_streamalert_<log type>) and alerts through
// <prefix>_streamalert_alerts, each landing as gzipped JSON lines under
// <table>/dt=YYYY-MM-DD-HH/ in the data bucket.
//
// Firehose copies differ from what rules see in one way: keys are
// sanitized (every character other than an ASCII letter, digit or '_'
// becomes '_', in the record and the objects nested in it, not inside
// lists), so that every key is a name Athena can query. [Tables] derives
// the Athena tables from the schemas with the same sanitizing, so columns
// match the data.
//
// What sa does differently from StreamAlert: a record too large for
// Firehose is not dropped but handed back to the caller as rejected, with
// the reason, for the dead letter queue; a record Firehose keeps failing is
// reported as undelivered, so the classifier's caller retries it; and
// Athena finds partitions by partition projection instead of a function
// adding each one.
package historical
