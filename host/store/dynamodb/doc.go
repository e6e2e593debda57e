// Package dynamodb is the alert store of the AWS runtime: store.Store over
// two DynamoDB tables, with the semantics of the embedded SQLite store
// (outputs-sent union, leases, attempt budget, merge groups) kept by
// conditional writes and transactions instead of SQL transactions.
//
// # Tables
//
// The alerts table holds two kinds of item under one partition per alert:
//
//	AlertID (hash)  Item (range)     what
//	<id>            "alert"          RuleName, Body (the alert's JSON payload,
//	                                 which never changes), Created (Unix µs),
//	                                 Staged, MergedInto, and the index keys below
//	<id>            "out#<output>"   one delivery: Status, Attempts, LastAttempt,
//	                                 NextAttempt, LeaseUntil, LeaseToken,
//	                                 SentAt, Error
//
// StreamAlert keys its alerts table by RuleName and AlertID because its
// merger and processor read a rule's alerts. Here most calls know only an
// alert id (the processor's Record, the CLI's Get, a merged alert's
// originals), so the id is the hash key and one strongly consistent Query
// reads an alert with all its deliveries; the merger's per-rule reads go to
// a sparse index keyed by RuleName instead. Three global secondary indexes,
// each sparse (an item carries the index's attributes only while it belongs
// in it):
//
//   - merge: RuleName / MergeKey ("<created>#<id>"), on alert items still
//     waiting to be merged. MergeRules scans it and MergeCandidates queries
//     one rule oldest first.
//   - due: DuePart / DueKey ("<next attempt>#<id>#<output>"), on pending
//     deliveries. While a delivery is leased its next attempt is the lease's
//     end, so "due" is one range query: DueKey before now.
//   - list: ListPart / ListKey ("<created>#<id>"), on every alert item, for
//     listing newest first with a cursor.
//
// Times in keys are Unix microseconds padded to 20 digits, so byte order is
// time order. DuePart and ListPart are constants: one index partition holds
// the whole queue. Alerts are few next to records (a partition takes 1,000
// writes a second), and one partition keeps Due's order global; a sharded
// key can be added if a deployment outgrows it.
//
// The state table (hash Key) holds checkpoints; a present item with no
// Value attribute is an empty value.
//
// # Concurrency and atomicity
//
//   - Insert writes an alert's items in a TransactWriteItems whose alert
//     Put is conditional on attribute_not_exists: ids stored already are
//     skipped (checked first, then enforced by the condition), so Insert is
//     idempotent and two writers of one id never both write it.
//   - A transaction takes at most 100 items. A batch (or a WithTx) larger
//     than that commits in several transactions, each holding whole alerts,
//     with the checkpoints in the last one: a crash between them leaves
//     alerts without their checkpoint, which the caller re-reads and replays
//     into the same ids, never a checkpoint without its alerts.
//   - Due leases a delivery with an UpdateItem conditional on it being
//     pending, due and inside its budget, so of several processors racing
//     for a delivery exactly one wins; the losers' conditions fail and they
//     move on. The index is only where candidates are found: it is
//     eventually consistent, the condition is not.
//   - Record applies each outcome with its own conditional UpdateItem:
//     Sent on any delivery not already sent (the one-way door), the failures
//     only under the lease token they were attempted with. Each outcome is
//     atomic on its own; outcomes are independent, so a batch is not one
//     transaction, and re-recording after a partial failure is harmless.
//   - ReplaceGroup is one transaction: each original's alert item is
//     updated on condition that it still waits to be merged, and the merged
//     alert's items are put on condition that its id is new. A held
//     delivery of a merged original is reported as merged: the alert's
//     MergedInto is the one write that hands it over, which keeps a group of
//     50 alerts inside one transaction.
//
// Items are limited to 400 KB by DynamoDB, which bounds an alert's record
// as it bounded StreamAlert's.
package dynamodb
