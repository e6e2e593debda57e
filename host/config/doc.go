// Package config loads a StreamAlert conf/ directory as it is and gives the
// rest of the host typed, validated settings.
//
// The layout is StreamAlert 3.5's: global.json, clusters/*.json,
// schemas/*.json (or the older single logs.json), normalized_types.json,
// outputs.json, lookup_tables.json, threat_intel.json, and lambda.json and
// scheduled_queries.json, which are kept raw. A team moving from
// StreamAlert points sa at its conf/ and gets the same classification, so
// the loader mirrors StreamAlert's semantics where they decide behaviour
// (schema order and priority, which schemas a source may carry, what a
// schema's type strings mean) and documents each place it deliberately
// differs.
//
// Loading is strict: every file is decoded by hand from a position-keeping
// JSON tree, so an unknown key, a value of the wrong type or a setting that
// cannot work is reported with its file, line:column and JSON key path, and
// all problems of a load come back together as [Problems] rather than one
// at a time. Settings StreamAlert treats as open-ended (Terraform
// infrastructure, per-cluster modules, Lambda settings) are kept as raw JSON
// instead of being rejected; each such decision is commented where the key
// is decoded.
package config
