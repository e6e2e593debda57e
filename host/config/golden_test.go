package config

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/streamalert-go/sa/internal/testbin"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// TestGoldenCompat dumps StreamAlert's stock conf as loaded, including the
// candidate schemas of every source, and compares it with the fingerprint
// in testdata/compat.sha256 (the compat corpus is not copied into the
// repository). Run with -update after an intended change and review the
// dump the failure points to.
func TestGoldenCompat(t *testing.T) {
	got := dump(mustLoad(t, compatDir(t)))
	testbin.Fingerprint(t, filepath.Join("testdata", "compat.sha256"), []byte(got), *update)
}

// dump renders cfg as stable text: maps sorted, slices in their order.
func dump(cfg *Config) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	g, in := cfg.Global, cfg.Global.Infrastructure
	w("global.account %+v", g.Account)
	w("global.general %+v", g.General)
	fh := in.Firehose
	w("global.infrastructure.firehose enabled=%v use_prefix=%v buffer_size=%d buffer_interval=%d bucket_name=%q enabled_logs=%v",
		fh.Enabled, fh.UsePrefix, fh.BufferSize, fh.BufferInterval, fh.BucketName, slices.Sorted(maps.Keys(fh.EnabledLogs)))
	w("global.infrastructure rule_staging=%+v classifier_sqs=%+v artifact_extractor=%+v raw=%v",
		in.RuleStaging, in.ClassifierSQS, in.ArtifactExtractor, slices.Sorted(maps.Keys(in.Raw)))
	for _, c := range cfg.Clusters {
		w("cluster %s enable_threat_intel=%v classifier_config=%d bytes modules=%v",
			c.Name, c.EnableThreatIntel, len(c.ClassifierConfig), slices.Sorted(maps.Keys(c.Modules)))
		for _, svc := range slices.Sorted(maps.Keys(c.DataSources)) {
			for _, res := range slices.Sorted(maps.Keys(c.DataSources[svc])) {
				cands, _ := cfg.SchemasForSource(svc, res)
				w("  %s %q %v -> %v", svc, res, c.DataSources[svc][res], cands)
			}
		}
	}
	w("schemas legacy_logs_json=%v (classification order)", cfg.LegacyLogsJSON)
	for i, s := range cfg.Schemas {
		w("%2d %s %s parser=%s", i, s.Name, s.File, s.Parser)
		w("     schema %s", Type{Kind: KindObject, Fields: s.Fields})
		for _, o := range dumpOptions(s.Options) {
			w("     %s", o)
		}
	}
	for _, fam := range slices.Sorted(maps.Keys(cfg.NormalizedTypes)) {
		for _, typ := range slices.Sorted(maps.Keys(cfg.NormalizedTypes[fam])) {
			w("normalized_types %s.%s %v", fam, typ, cfg.NormalizedTypes[fam][typ])
		}
	}
	for _, o := range cfg.Outputs {
		w("output %s mapped=%v %+v", o.Service, o.Mapped, o.Targets)
	}
	w("lookup_tables enabled=%v", cfg.LookupTables.Enabled)
	for _, t := range cfg.LookupTables.Tables {
		w("  %+v", t)
	}
	ti := cfg.ThreatIntel
	w("threat_intel enabled=%v dynamodb_table_name=%q", ti.Enabled, ti.DynamoDBTableName)
	for _, k := range slices.Sorted(maps.Keys(ti.NormalizedIOCTypes)) {
		w("  normalized_ioc_types %s %v", k, ti.NormalizedIOCTypes[k])
	}
	for _, k := range slices.Sorted(maps.Keys(ti.ExcludedIOCs)) {
		for _, v := range slices.Sorted(maps.Keys(ti.ExcludedIOCs[k])) {
			var meta bytes.Buffer
			_ = json.Compact(&meta, ti.ExcludedIOCs[k][v])
			w("  excluded_iocs %s %s %s", k, v, meta.String())
		}
	}
	w("lambda.json %d bytes, scheduled_queries.json %d bytes", len(cfg.Lambda), len(cfg.ScheduledQueries))
	for _, p := range cfg.Warnings {
		w("%s", p)
	}
	return b.String()
}

// dumpOptions lists the options that differ from the zero value.
func dumpOptions(o Options) []string {
	var out []string
	add := func(name string, set bool, v any) {
		if set {
			out = append(out, fmt.Sprintf("%s=%v", name, v))
		}
	}
	add("json_path", o.JSONPath != "", fmt.Sprintf("%q", o.JSONPath))
	add("embedded_json", o.EmbeddedJSON, true)
	add("json_regex_key", o.JSONRegexKey != "", fmt.Sprintf("%q", o.JSONRegexKey))
	add("envelope_keys", o.EnvelopeKeys != nil, Type{Kind: KindObject, Fields: o.EnvelopeKeys})
	add("optional_envelope_keys", o.OptionalEnvelopeKeys != nil, o.OptionalEnvelopeKeys)
	add("optional_top_level_keys", o.OptionalTopLevelKeys != nil, o.OptionalTopLevelKeys)
	add("log_patterns", o.LogPatterns != nil, fmt.Sprintf("%+v", o.LogPatterns))
	if o.Priority != nil {
		add("priority", true, *o.Priority)
	}
	add("delimiter", o.Delimiter != "", fmt.Sprintf("%q", o.Delimiter))
	add("separator", o.Separator != "", fmt.Sprintf("%q", o.Separator))
	add("quotechar", o.QuoteChar != "", fmt.Sprintf("%q", o.QuoteChar))
	add("escapechar", o.EscapeChar != "", fmt.Sprintf("%q", o.EscapeChar))
	for _, n := range o.Normalization {
		for _, p := range n.Params {
			out = append(out, fmt.Sprintf("normalization %s path=%v function=%q send_to_artifacts=%v condition=%+v",
				n.Name, p.Path, p.Function, p.SendToArtifacts, p.When))
		}
	}
	return out
}
