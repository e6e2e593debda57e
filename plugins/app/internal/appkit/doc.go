// Package appkit is what sa's app plugins share to poll a vendor's log API
// without losing or repeating a log:
//
//   - Settings and Properties: the transport and polling properties every
//     app instance has (timeout, CA bundle, connect-to address, overlap
//     window, first-poll lookback) and their parsing.
//   - Budget: the poll's deadline, kept short of the host's so the last
//     batch can still be sent, and the "time for another page?" test.
//   - Client: an HTTP client that always verifies TLS, never follows a
//     redirect to another host, bounds every call, retries 5xx answers,
//     timeouts and connection errors with jittered backoff, and honours
//     429/Retry-After and vendor reset headers only when the wait fits the
//     budget; otherwise it stops the poll with ErrOutOfBudget, which Gather
//     turns into a final batch saying More. Its errors quote the vendor's
//     error text with every secret of the instance masked.
//   - Cursor: the checkpoint of a time-ordered source: a lower time bound,
//     an overlap window below it that is read again on every poll so late
//     events are not missed, the ids of the events already emitted inside
//     that window so they are not emitted twice, and an optional vendor
//     page token.
//   - Batcher: hands logs to the host in bounded batches, each carrying
//     the cursor state that covers exactly the logs emitted so far.
//   - Gather: the skeleton of one poll tying them together.
//   - Plugin: the skeleton of a whole app plugin (Info, Schema,
//     ValidateConfig, Gather) built from a vendor's spec, settings parser
//     and poll function.
//   - Cache: access tokens or sessions kept between polls, keyed by the
//     credentials that obtained them.
//
// The sub-package apptest is the matching test kit: a TLS vendor stand-in,
// a simulated event source with late events, and a driver that polls a
// plugin many times, in process or as the built binary, crashing it now and
// then, and counts the events missed or duplicated.
package appkit
