// Package apptest is the test kit of sa's app plugins: a TLS stand-in for
// a vendor API whose certificate names the vendor's real host names (the
// plugin reaches it through its connect_to property and verifies it
// against the kit's CA), a simulated event source whose events arrive over
// time and sometimes late, and a Driver that polls a plugin many times, in
// process or as the built binary, keeping only what committed batches
// carried, crashing the plugin now and then, and reporting every event
// missed or delivered twice. Conformance runs sa's conformance harness on
// the built binary, and Classify classifies emitted logs the way the host
// does, against StreamAlert's compat conf. Gather, Logs and LastState run
// and read single in-process polls, and CheckConfigs runs a plugin's
// ValidateConfig table.
package apptest
