package publish

import (
	"fmt"
	"slices"
	"strings"
)

// Publisher is one entry of a publisher table.
type Publisher struct {
	// Name is the short name rules use ("add_record", "Summary").
	Name string
	// Module is StreamAlert's module of the publisher; Module + "." + Name
	// is the full name StreamAlert rules use. Empty for sa's own.
	Module string
	Func   Func
}

// Names lists the names the publisher answers to.
func (p Publisher) Names() []string {
	if p.Module == "" {
		return []string{p.Name}
	}
	return []string{p.Name, p.Module + "." + p.Name}
}

// StreamAlert's modules of the built-in publishers.
const (
	moduleCore      = "streamalert.shared.publisher"
	moduleGeneric   = "publishers.community.generic"
	modulePagerDuty = "publishers.community.pagerduty.pagerduty_layout"
	moduleSlack     = "publishers.community.slack.slack_layout"
	moduleDemisto   = "publishers.sample.sample_demisto"
)

// BuiltinOptions configure the built-in publishers.
type BuiltinOptions struct {
	// RuleLink is where Summary's title links for a rule; nil links
	// nowhere.
	RuleLink func(rule string) string
}

// Builtins is the table of every publisher StreamAlert ships, in
// StreamAlert's order.
func Builtins(opts BuiltinOptions) []Publisher {
	return []Publisher{
		{"DefaultPublisher", moduleCore, defaultPublisher},

		{"add_record", moduleGeneric, addRecord},
		{"blank", moduleGeneric, blank},
		{"remove_internal_fields", moduleGeneric, removeInternalFields},
		{"remove_fields", moduleGeneric, removeFields},
		{"remove_streamalert_normalization", moduleGeneric, removeNormalization},
		{"enumerate_fields", moduleGeneric, enumerateFields},
		{"populate_fields", moduleGeneric, populateFields},
		{"StringifyArrays", moduleGeneric, stringifyArrays("\n")},

		{"ShortenTitle", modulePagerDuty, shortenTitle},
		{"as_custom_details", modulePagerDuty, asCustomDetails},
		{"v2_high_urgency", modulePagerDuty, v2HighUrgency},
		{"v2_low_urgency", modulePagerDuty, v2LowUrgency},
		{"PrettyPrintArrays", modulePagerDuty, stringifyArrays(prettyPrintDelimiter)},
		{"AttachImage", modulePagerDuty, attachImage},

		{"Summary", moduleSlack, summary(opts.RuleLink)},
		{"AttachRuleInfo", moduleSlack, attachRuleInfo},
		{"AttachPublication", moduleSlack, attachPublication},
		{"AttachStringTemplate", moduleSlack, attachStringTemplate},
		{"AttachFullRecord", moduleSlack, attachFullRecord},

		{"demisto_classification", moduleDemisto, demistoClassification},
	}
}

// defaultPublisher replaces the publication with the default one; it
// starts a chain that should keep the alert's fields.
func defaultPublisher(a *Alert, _ Publication) (Publication, error) { return a.Default(), nil }

// demistoClassification maps the context's "demisto" object onto the
// "@demisto.<key>" fields the Demisto output reads (incident_type,
// playbook, severity, ...).
func demistoClassification(a *Alert, pub Publication) (Publication, error) {
	v, ok := a.Context["demisto"]
	if !ok {
		return pub, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("context demisto is not an object")
	}
	for k, e := range m {
		pub["@demisto."+k] = DeepCopy(e)
	}
	return pub, nil
}

// Spec is how a rule names its publishers (StreamAlert's publishers
// argument): one list for every output, or lists keyed by service
// ("slack") or output ("slack:soc").
type Spec struct {
	All   []string
	ByKey map[string][]string
}

// Assign resolves a rule's publishers to the per-output map an alert
// carries (StreamAlert's _configure_publishers): for each output but the
// archive, the All list, or the list of its service followed by the list
// of the output itself. Outputs with no publishers are left out.
func Assign(outputs []string, spec Spec) map[string][]string {
	out := map[string][]string{}
	for _, o := range outputs {
		if o == ArchiveOutput {
			continue
		}
		service, _, _ := strings.Cut(o, ":")
		names := slices.Concat(spec.All, spec.ByKey[service], spec.ByKey[o])
		if len(names) > 0 {
			out[o] = names
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
