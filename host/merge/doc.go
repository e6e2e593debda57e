// Package merge is sa's alert merger: StreamAlert's alert_merger, run on a
// timer inside the host instead of as a scheduled Lambda.
//
// Alerts of a rule with merge keys and a window wait in the store (their
// outputs "held") until the merger replaces a group of them with one merged
// alert, which then goes to the outputs. The algorithm is StreamAlert 3.5's
// (reference §4.3, §9.7), kept on purpose so that a team moving from
// StreamAlert sees the same merged alerts:
//
//   - Candidates are taken per rule, oldest first, at most [Options.Limit]
//     per rule and pass (StreamAlert read 5000).
//   - Each candidate is offered to the open groups in the order they were
//     started; the first that accepts it wins. A group accepts while it has
//     fewer than 50 alerts and the candidate can merge with the group's
//     first (oldest) alert: same merge keys with equal values, found at any
//     depth of the record, and created within that alert's window
//     (inclusive). A group may hold a single alert.
//   - A candidate no group accepts starts a new group if its own window has
//     passed; if it has not, the pass over this rule stops there and every
//     later candidate waits for the next tick, even one of another key.
//   - Each group becomes one merged alert, stored in place of the group in
//     one transaction (store.MergeQueue.ReplaceGroup).
//
// The merged alert's record is StreamAlert's:
//
//	{"AlertCount": 3,
//	 "AlertTimeFirst": "...", "AlertTimeLast": "...",
//	 "MergedBy": {"<key>": <first value in the oldest record, or "(n/a)">},
//	 "OtherCommonKeys": {<what every record shares>},
//	 "ValueDiffs": {"<created of each alert>": {<what that record has besides>}}}
//
// with the merge keys removed from every nested object of each record
// first, OtherCommonKeys and ValueDiffs computed exactly as _compute_common
// and _compute_diff do (lists compared whole; objects recursed into), the
// keys of the oldest record in their order, and ValueDiffs keyed by the
// created time, so alerts created in the same microsecond share one entry
// (the later one's). The merged alert takes rule, description, severity,
// tags, context, cluster, log source and type, source, and publishers from
// the oldest alert, its outputs from the newest, is staged if any alert was,
// is created at the time of the merge, and does not wait to be merged again.
//
// Where sa differs, deliberately:
//
//   - Equality is JSON equality as Python sees it after json.loads (object
//     key order and number spelling do not matter), except that true never
//     equals 1 (see alert.Canonical).
//   - The merged record is capped at [Options.MaxRecordBytes]: when it would
//     be larger, ValueDiffs keeps the entries of the oldest alerts that fit
//     and "ValueDiffsOmitted" counts the rest; if that is still too large,
//     the largest members of OtherCommonKeys are dropped and listed in
//     "OtherCommonKeysOmitted". StreamAlert had no cap of its own and relied
//     on the 50-alert limit and on fetching oversized alerts from DynamoDB.
//   - When a pass reads a full batch (more candidates may wait beyond it),
//     groups that a candidate beyond the batch could still join are left
//     for the next pass rather than merged short, and the merger passes
//     over the rule again at once while it makes progress. If no group of a
//     full batch is complete, the groups are merged as StreamAlert would,
//     so a rule can never stall.
//   - Merging does not wait for the alerts' required outputs (the
//     archive): the store keeps those pending on the original alerts.
package merge
