package config

import "encoding/json"

// Global is global.json.
type Global struct {
	Account        Account
	General        General
	Infrastructure Infrastructure
}

// Account is global.json "account": where the AWS runtime deploys.
// Placeholder values such as StreamAlert's "AWS_ACCOUNT_ID_GOES_HERE" are
// accepted, since the embedded runtime never uses them.
type Account struct {
	AWSAccountID string // aws_account_id
	Prefix       string // prefix of every AWS resource name
	Region       string
	// KMSKeyAlias names the key of the SSM secrets (kms_key_alias); default
	// "<prefix>_streamalert_secrets", as StreamAlert.
	KMSKeyAlias string
}

// General is global.json "general". Its keys locate StreamAlert's Python
// rules, matchers, publishers and query packs and pin Python libraries; sa
// reads none of them (its rules are YAML files) but keeps them typed so a
// migration tool can find the old rule directories.
type General struct {
	TerraformFiles          []string // terraform_files
	MatcherLocations        []string // matcher_locations
	RuleLocations           []string // rule_locations
	ScheduledQueryLocations []string // scheduled_query_locations
	PublisherLocations      []string // publisher_locations
	ThirdPartyLibraries     []string // third_party_libraries
}

func (f *file) decodeGlobal(g *Global) {
	if f.root == nil {
		return
	}
	a := &g.Account
	f.object(f.root, "", fields{
		"account": func(n *node, p jpath) {
			f.object(n, p, fields{
				"aws_account_id": f.toStr(&a.AWSAccountID),
				"prefix":         f.toStr(&a.Prefix),
				"region":         f.toStr(&a.Region),
				"kms_key_alias":  f.toStr(&a.KMSKeyAlias),
			})
		},
		"general":        f.decodeGeneral(&g.General),
		"infrastructure": f.decodeInfrastructure(&g.Infrastructure),
	})
	if a.KMSKeyAlias == "" && a.Prefix != "" {
		a.KMSKeyAlias = a.Prefix + "_streamalert_secrets"
	}
	g.Infrastructure.applyDefaults(a.Prefix)
}

func (f *file) decodeGeneral(g *General) func(*node, jpath) {
	return func(n *node, p jpath) {
		// Unknown keys here are warnings, not errors: the section only ever
		// fed StreamAlert's Python packaging, so a stray key changes
		// nothing sa does.
		f.lenient(n, p, fields{
			"terraform_files":           f.toStrs(&g.TerraformFiles),
			"matcher_locations":         f.toStrs(&g.MatcherLocations),
			"rule_locations":            f.toStrs(&g.RuleLocations),
			"scheduled_query_locations": f.toStrs(&g.ScheduledQueryLocations),
			"publisher_locations":       f.toStrs(&g.PublisherLocations),
			"third_party_libraries":     f.toStrs(&g.ThirdPartyLibraries),
		})
	}
}

// lenient decodes an object whose unknown keys are warned about and
// otherwise ignored; callers that need them keep the raw value.
func (f *file) lenient(n *node, p jpath, fs fields) bool {
	return f.objectWith(n, p, fs, func(m member, p jpath) {
		f.report(SeverityWarning, m.keyOff, p, "unknown key, ignored")
	})
}

// rawMembers keeps every member of object n verbatim.
func (f *file) rawMembers(n *node, p jpath) map[string]json.RawMessage {
	if !f.want(n, p, kindObject) {
		return nil
	}
	out := make(map[string]json.RawMessage, len(n.members))
	for _, m := range n.members {
		out[m.key] = m.val.raw(f.data)
	}
	return out
}
