// Package store declares the durable alert store and the delivery queue it
// doubles as, for the parts of the host that use it; implementations live in
// subpackages (sqlite for `sa serve`; a DynamoDB one for the AWS runtime) and
// storetest holds the behaviour every implementation must show.
//
// The store is where sa's delivery guarantees (DESIGN.md §5) are kept:
//
//   - An alert is committed before anything is sent: Insert returns only
//     after the transaction is durable, and the dispatcher only ever learns
//     of alerts through Due, which reads committed rows.
//   - Ingest can commit a batch's alerts and its new checkpoint in one
//     transaction (WithTx), so a crash leaves either both or neither.
//   - Each alert×output pair is its own queue entry: attempts, last error,
//     next attempt time (backoff is the caller's), and a status. Sent is a
//     one-way door: recording a success twice, late, or after a failure never
//     un-sends a pair, so an output that acknowledged an alert is never sent
//     it again (unlike StreamAlert 3.5, whose processor replaced
//     OutputsSent with the last run's successes).
//   - Due leases pairs: a leased pair is not handed out again until the
//     lease ends, so several dispatch loops never send one pair at once; a
//     lease that ends without a result (the process was killed mid-send)
//     makes the pair due again, so kill -9 during dispatch loses nothing.
//   - Attempts are counted when a pair is leased, not when a result comes
//     back, so an alert that crashes the host on every attempt is still
//     given up on after the attempt budget instead of looping forever. A
//     pair out of budget is failed with the reason and stays until an
//     operator retries it.
//   - Merging replaces a group of alerts with the merged one in one
//     transaction.
//
// Consumers should declare the few methods they call as their own small
// interface; [Writer], [Checkpoints], [MergeQueue], [Queue] and [Browser]
// are those subsets as the ingest, merger, dispatcher and CLI use them, and
// [Store] is all of them, which the runtime wires.
package store
