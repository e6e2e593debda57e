package rules

import (
	"encoding/json"
	"github.com/streamalert-go/sa/host/alert"
	"time"
)

// Match is one rule firing on one record: everything the alert needs.
type Match struct {
	Rule *Rule
	// Record is the record as the alert keeps it: the input's Raw, with
	// "streamalert:ioc" added when threat intel matched.
	Record json.RawMessage
	// LogType, Parser, Service, Source and Cluster are the record's (an
	// alert's log_source, log_type, source_service, source_entity and
	// cluster).
	LogType string
	Parser  string
	Service string
	Source  string
	Cluster string
	// Outputs are the rule's static outputs, then those its dynamic
	// outputs gave for this record, each once. A staged match has none:
	// only the outputs every alert gets (the runtime's required outputs)
	// receive it.
	Outputs []string
	// Publishers maps each output with a publisher chain to it, in the
	// order the chain runs; outputs without one use the default
	// publication.
	Publishers map[string][]string
	// Context is the rule's context, nil when it has none.
	Context     json.RawMessage
	MergeByKeys []string
	MergeWindow time.Duration
	Staged      bool
}

// publishersFor resolves the rule's publishers for each output.
func publishersFor(p Publishers, outputs []string) map[string][]string {
	if p.Empty() {
		return nil
	}
	out := map[string][]string{}
	for _, o := range outputs {
		if chain := p.For(o); len(chain) > 0 {
			out[o] = chain
		}
	}
	return out
}

// AlertParams is the alert the match becomes: the rule's description,
// severity and tags, the record and where it came from, the outputs,
// publishers and merge settings. The caller sets ID and Created, and a
// Record when the match carries none.
func (m Match) AlertParams() alert.Params {
	return alert.Params{
		RuleName: m.Rule.Name, RuleDescription: m.Rule.AlertDescription(), Severity: m.Rule.Severity, Tags: m.Rule.Tags,
		Record: m.Record, Context: m.Context, Outputs: m.Outputs, Publishers: m.Publishers,
		Cluster: m.Cluster, LogSource: m.LogType, LogType: m.Parser, SourceService: m.Service, SourceEntity: m.Source,
		Staged: m.Staged, MergeByKeys: m.MergeByKeys, MergeWindow: m.MergeWindow,
	}
}
