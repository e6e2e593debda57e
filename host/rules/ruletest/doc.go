// Package ruletest runs rule tests: StreamAlert-format test events
// (reference §7.8) delivered, classified and evaluated against the rules,
// with the rules each event expects to fire compared to those that do.
//
// An event passes when its first classified record has the expected log
// type and, unless it is classify_only, the set of rules that fired on its
// records equals trigger_rules less the disabled rules. Events see only
// their own fixtures: test_fixtures.lookup_tables replaces every lookup
// table and test_fixtures.threat_intel is the whole IOC store (used when
// the configuration enables threat intel), as in StreamAlert's harness;
// random_bool() is always true and no rule is staged.
//
// Beyond the events, the run checks coverage: every enabled rule should
// have an event that fires it and an event of one of its log types that
// does not, so a rule that matches everything or nothing is caught.
package ruletest
