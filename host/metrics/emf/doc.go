// Package emf writes Prometheus metrics as CloudWatch embedded metric
// format (EMF) documents: JSON lines that CloudWatch Logs turns into
// CloudWatch metrics, with no PutMetricData call and no metric filter. On
// Lambda, a line written to stdout is enough.
//
// A [Writer] gathers a registry at each [Writer.Flush] (the Lambda
// handlers flush at the end of every invocation) and writes one line per
// set of dimensions: the series of every family whose labels, with the
// fixed dimensions of [Options.Dimensions], have the same names and
// values share a line, up to 100 metrics a line (the specification's
// limit per directive; more go to further lines). A line reads:
//
//	{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"sa",
//	  "Dimensions":[["function","rule"]],"Metrics":[{"Name":"sa_alerts_total","Unit":"Count"}]}]},
//	 "function":"rules","rule":"root_activity","sa_alerts_total":2}
//
// Label names become dimension names unchanged and metric names stay the
// Prometheus family names, so a CloudWatch metric mirrors its Prometheus
// series. Each line has one dimension set, all its dimensions; aggregates
// over a dimension are CloudWatch queries.
//
// What a metric's value is:
//
//   - A counter: its increase since the previous Flush; the first Flush
//     writes the whole count since the process started. A series whose
//     increase is zero is left out, so an idle function writes nothing.
//     A counter that went down (reset) counts from zero.
//   - A gauge (or an untyped metric): its value, at every Flush.
//   - A histogram or summary: the increases of its count and sum, as the
//     metrics <name>_count and <name>_sum, left out when no observation
//     was made. The specification's metric values are numbers or arrays
//     of up to 100 numbers, each array element a sample; a Prometheus
//     histogram keeps bucket counts, not samples, so count and sum (from
//     which CloudWatch shows the average) are what it can carry exactly.
//
// Units come from the name, as Prometheus names carry them: a name ending
// in _seconds (or _seconds_total, _seconds_sum) is in Seconds, _bytes in
// Bytes; other counters and histogram counts are Count, other gauges
// None.
//
// CloudWatch accepts only non-empty ASCII dimension values: a label with
// an empty value is left out of the line's dimensions, as Prometheus
// treats an empty label as absent, and characters outside printable ASCII
// become '?'. A value is cut at 1,024 bytes. Labels name sources, rules,
// outputs and log types; nothing secret is ever a metric.
//
// [Parse] reads a line back and checks it against the specification, for
// tests of anything that writes EMF.
package emf
