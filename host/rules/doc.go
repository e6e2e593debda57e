// Package rules loads detection rules and evaluates classified records
// against them.
//
// Rules are YAML files (rules/**/*.yaml, several rules a file) whose
// condition is a CEL expression over the record; matchers
// (matchers/*.yaml) are named CEL conditions rules share. Every
// expression is compiled when the rules load, type-checked against the
// schema of each log type the rule names, so a misspelt field or a
// comparison of a string field with a number is reported with its file
// and line before any record arrives, and every problem of a load is
// reported at once.
//
// The evaluation model is StreamAlert 3.5's (reference §3.1–3.3): a rule
// runs on records of the log types it lists (all of them when it lists
// none), its req_subkeys must be present, its matchers must all hold, and
// then its condition decides. Anything that goes wrong while evaluating a
// rule, including exceeding its cost budget, makes it not match that
// record, is counted against the rule and reported through an
// [ErrorSink]; it never affects other rules. Two deliberate departures:
// a rule's datatypes do select records (a rule runs only on records that
// carry at least one of them), and problems StreamAlert only logged at
// run time (an output without ':', an unknown log type) stop the load.
//
// The helpers rules call (in_network, get_keys, fetch_values_by_datatype,
// lookup, ...) are CEL functions with StreamAlert's semantics; docs/rules.md
// describes each with examples.
package rules
