// Package threatintel matches records against indicators of compromise
// (IOCs): known-bad IP addresses, domains, URLs and file hashes, loaded
// from files or feeds into memory.
//
// Which record values are looked up follows StreamAlert's threat intel
// (reference §3.6): threat_intel.json maps IOC types to normalized types
// (ip ← sourceAddress, destinationAddress, ...), so every value a record
// carries under one of those normalized types is looked up as that IOC
// type, unless excluded (for ip, invalid addresses and addresses inside
// an excluded CIDR). Hits are attached to the record as
// "streamalert:ioc": {ioc_type: [values]}, where rules test them with
// ioc_values(record, "ip"). StreamAlert 3.5 read the normalized values in
// the shape its older normalizer wrote and so matched nothing with the
// current one; here both shapes are read.
//
// The store is built to hold millions of indicators: values live in one
// flat byte arena indexed by an open-addressed hash table, so the garbage
// collector has no pointers to scan and a lookup is a hash and one or two
// probes.
package threatintel
