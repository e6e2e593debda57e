// Package streamquery runs scheduled queries (reference §7.1, StreamAlert's
// StreamQuery): packs of Athena queries over the historical data that run
// on a schedule and whose results come back into the pipeline as records
// of the log type streamquery:version1, so rules can alert on them like on
// any log.
//
// A query is a YAML file in one of the conf's scheduled_query_locations
// (see ParseQuery); scheduled_queries.json (see ParseConfig) names the
// packs, each an EventBridge schedule that runs the queries carrying its
// name as a tag.
//
// The function is one Lambda that waits or hands over, instead of
// StreamAlert's Step Function state machine around a Lambda: an
// invocation starts the pack's queries, polls Athena with backoff, and
// puts each finished query's result onto the destination Kinesis stream
// as soon as it is read. When the invocation's remaining time runs short
// while queries still run, it invokes itself asynchronously with the run's
// state (the execution ids, what was sent to Athena and which results went
// out) and returns; the next invocation goes on from there. A run gives up
// on queries still running after config.sfn_timeout_secs, stops them and
// sends a record saying so, as it sends one for every failed query, so a
// rule can alert on a query that no longer works.
//
// Delivery is at least once. Each query's result is sent once per run
// (the state says which went out); only a crash between a put and the
// hand-over, or an EventBridge event delivered twice, sends a result
// again. Athena is asked for each query with a client request token
// derived from the run and the query, so a retried start never runs a
// query twice.
package streamquery
