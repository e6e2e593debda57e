// Package lookup serves lookup tables to rules: named key-value stores a
// rule reads with lookup(table, key, default), as StreamAlert's
// LookupTables.get (reference §3.7).
//
// A table is backed by a driver of one of two shapes. A [Loader] reads the
// whole table at once, a JSON object of key to value (StreamAlert's s3
// driver; here also a local file, gzip or zlib compressed or not); the
// table is cached and re-read in the background once its refresh interval
// has passed, the old contents serving until the new ones arrive. A
// [Fetcher] reads one key at a time (StreamAlert's dynamodb driver); each
// key is cached for the refresh interval, misses included, and the cache
// can be bounded.
//
// A table that cannot be read is reported under its name and answers
// every key with "absent", so the rule gets its default; a table that
// was read before keeps serving what it had. Nothing a driver does can
// fail a rule or the pipeline.
package lookup
