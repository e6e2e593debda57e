// Package dispatch delivers alerts: it leases due alert×output pairs from
// the store, composes each pair's publication, calls the output plugin and
// records the outcome, so that every alert reaches every output and none
// reaches an output twice once it acknowledged it.
//
// # One attempt
//
// For a pair "service:descriptor" the plugin is output.<service> and the
// instance <descriptor>. The dispatcher first makes sure the plugin host
// can configure that instance ([Instances]; [HostInstances] reads the
// settings and the credentials at the moment the plugin needs them), then
// composes the publication (package publish), then calls the plugin with
// the alert's payload and the publication. The outcome is recorded:
//
//	plugin says delivered            → sent
//	plugin says retryable            → retry after backoff (below)
//	plugin says permanent            → failed, with the plugin's message
//	plugin died, hung, timed out     → retry after backoff
//	plugin not installed, output not
//	configured, configuration refused → failed, reported once per output
//	a publisher failed on the alert  → failed, with the publisher's error
//
// Failed pairs stay in the store with the reason until an operator runs
// `sa alerts retry`; a retry that runs out of the store's attempt budget is
// failed by the store. The backoff is exponential with full jitter, base
// [Options.BackoffBase] doubling per attempt, and at least the plugin's
// RetryAfter, capped at [Options.BackoffMax].
//
// # Isolation
//
// Each output has its own lane: at most [Options.PerOutput] sends in
// flight and a bounded queue of leased pairs, and all lanes together at
// most [Options.Global] sends. Leasing is one loop over the store's due
// pairs, oldest first, handing each pair to its lane; a lane works through
// its queue independently, so a slow or failing output fills only its own
// queue and its own slots. A lane queues only what it can start before the
// leases run out, judged from its recent send latency; a pair beyond that
// is handed back to the store with a later attempt time instead of being
// held. A handed-back pair is released, not retried: the store gives back
// the attempt its lease counted, so an output that stays saturated delays
// its alerts but never fails them on their attempt budget.
//
// # Exactly once per acknowledging output
//
// A pair acknowledged by its output is remembered in memory until its
// outcome is committed and no lease taken before that commit can still
// arrive; a pair leased again meanwhile (its lease ran out before the
// commit) is recorded as sent without another send. A pair leased again
// while its first send is still in flight is not sent twice either: the
// attempt in flight records its result under the newer lease. Only a crash
// between an output's acknowledgement and the commit can cause a second
// delivery, which the store's at-least-once contract allows.
//
// # Batching and shutdown
//
// Outcomes are committed in batches (up to [Options.FlushSize] outcomes or
// [Options.FlushInterval] after the first), because each commit of the
// SQLite store is an fsync. On shutdown the dispatcher stops leasing, hands
// queued pairs back at once, waits up to [Options.DrainTimeout] for sends
// in flight, then cancels them and commits what it has. Anything not
// committed is simply leased again after its lease ends, so a kill -9 at
// any moment loses nothing.
package dispatch
