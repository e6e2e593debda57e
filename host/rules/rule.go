package rules

import (
	"encoding/json"
	"strings"
	"time"
)

// Rule is one loaded rule as its file describes it. A Rule is not changed
// after loading; Matches point at it.
type Rule struct {
	Name        string
	Description string
	Author      string
	Reference   string
	Playbook    string
	// Severity is one of info, low, medium, high, critical, or "".
	Severity string
	Tags     []string
	// Logs are the full log types the rule runs on; none means every log
	// type.
	Logs []string
	// Datatypes are normalized types the rule reads; when set, the rule
	// runs only on records carrying at least one of them.
	Datatypes []string
	// Matchers name matchers that must all hold, in order, before the
	// condition runs.
	Matchers []string
	// ReqSubkeys: every Key must be an object on the record holding every
	// one of its Subkeys (present, whatever the value).
	ReqSubkeys []Subkeys
	// Condition is the CEL expression deciding a match.
	Condition string
	// Outputs are "service:descriptor" names the alert goes to.
	Outputs []string
	// DynamicOutputs are CEL expressions giving more output names per
	// record: a string, a list of strings, or anything else for none.
	DynamicOutputs []string
	// Context is the rule's context as JSON, nil when the rule has none;
	// the condition sees it as `context`.
	Context    json.RawMessage
	Publishers Publishers
	// MergeByKeys and MergeWindow merge alerts of this rule whose records
	// agree on every key; both are set or neither.
	MergeByKeys []string
	MergeWindow time.Duration
	// Disabled rules are loaded and checked but never run.
	Disabled bool
	// Staged rules' alerts are stored and counted but sent to no output
	// other than the required ones. The engine's Staging can stage a rule
	// whose file does not.
	Staged bool

	File string // the file that defined the rule
	Line int    // the line of its name
}

// Subkeys is one req_subkeys entry.
type Subkeys struct {
	Key     string
	Subkeys []string
}

// Publishers says which publisher chain composes each output's
// publication: All applies to every output; otherwise the chain under the
// output's service ("slack") runs first, then the one under the exact
// output ("slack:alerts"), as StreamAlert's dictionary form.
type Publishers struct {
	All      []string
	ByOutput map[string][]string
}

// Empty reports whether the rule names no publishers, which means the
// default publication.
func (p Publishers) Empty() bool { return len(p.All) == 0 && len(p.ByOutput) == 0 }

// For returns the chain for output, nil for the default publication.
func (p Publishers) For(output string) []string {
	if len(p.All) > 0 {
		return p.All
	}
	service, _, _ := strings.Cut(output, ":")
	var out []string
	out = append(out, p.ByOutput[service]...)
	if service != output {
		out = append(out, p.ByOutput[output]...)
	}
	return out
}

// AlertDescription is the rule's description as its alerts carry it: the
// description, then its author, reference and playbook as "label: text"
// fields, the form of a StreamAlert rule's docstring, which Slack's
// Summary and AttachRuleInfo publishers take apart.
func (r *Rule) AlertDescription() string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(r.Description))
	for _, f := range [...]struct{ label, text string }{{"author", r.Author}, {"reference", r.Reference}, {"playbook", r.Playbook}} {
		if t := strings.TrimSpace(f.text); t != "" {
			if b.Len() > 0 {
				b.WriteString("\n\n")
			}
			b.WriteString(f.label + ": " + t)
		}
	}
	return b.String()
}

// Matcher is one loaded matcher: a named condition rules share.
type Matcher struct {
	Name        string
	Description string
	Condition   string
	File        string
	Line        int
}
