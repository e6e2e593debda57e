// Package staging keeps new rules on probation (reference §3.8): a rule
// deployed for the first time is staged for a period, 48 hours by
// default, during which its alerts are stored and counted but sent to no
// output. At the end of the period a rule that stayed within its alert
// budget is promoted on its own; one that did not stays staged until
// someone looks at it (sa rules unstage). A digest of the staged rules
// and their counts goes out daily.
//
// StreamAlert never promoted a rule with no alerts at all (its count of
// zero read as "unknown"); here zero alerts is the best case, not a
// blind spot.
package staging
