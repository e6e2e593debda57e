package config

import (
	"strings"
	"testing"
)

// appSchema returns schemas/app.json holding app:events with the given
// parser, schema and configuration JSON.
func appSchema(parser, schema, configuration string) map[string]string {
	body := `{"app:events": {"parser": "` + parser + `", "schema": ` + schema
	if configuration != "" {
		body += `, "configuration": ` + configuration
	}
	return map[string]string{"schemas/app.json": body + "}}"}
}

const sa = "schemas/app.json"

func TestLoadErrors(t *testing.T) {
	jsonAB := `{"a": "string", "b": "integer", "d": {"e": "string"}, "o": {}}`
	tests := []struct {
		name  string
		files map[string]string
		want  []want
	}{
		{"unknown option", appSchema("json", jsonAB, `{"json_pth": "x"}`),
			[]want{{sa, "app:events.configuration.json_pth", `unknown key (did you mean "json_path"?)`, SeverityError}}},
		{"unknown schema key", map[string]string{sa: `{"app:events": {"parser": "json", "schema": {}, "config": {}}}`},
			[]want{{sa, "app:events.config", "unknown key", SeverityError}}},
		{"option type", appSchema("json", jsonAB, `{"optional_top_level_keys": "a", "embedded_json": "yes"}`),
			[]want{{sa, "app:events.configuration.optional_top_level_keys", "want array, got string", SeverityError},
				{sa, "app:events.configuration.embedded_json", "want boolean, got string", SeverityError}}},
		{"unknown type string", appSchema("json", `{"a": "str", "n": {"x": 5}}`, ""),
			[]want{{sa, "app:events.schema.a", `unknown type "str"`, SeverityError},
				{sa, "app:events.schema.n.x", "want a type", SeverityError}}},
		{"invalid JSON", map[string]string{sa: "{\n  \"app:events\": {\"parser\" \"json\"}\n}"},
			[]want{{sa, "", "invalid JSON", SeverityError}}},
		{"duplicate key", map[string]string{sa: `{"app:events": {"parser": "json", "parser": "csv", "schema": {}}}`},
			[]want{{sa, "app:events.parser", "duplicate key", SeverityError}}},
		{"missing parser and schema", map[string]string{sa: `{"app:events": {}}`},
			[]want{{sa, "app:events", `missing required key "parser"`, SeverityError}, {sa, "app:events", `missing required key "schema"`, SeverityError}}},
		{"bad parser name", appSchema("JSON", jsonAB, ""),
			[]want{{sa, "app:events.parser", `parser "JSON" is not a parser name`, SeverityError}}},
		{"bad log type name", map[string]string{sa: `{":x": {"parser": "json", "schema": {}}}`},
			[]want{{sa, ":x", "both non-empty", SeverityError}}},
		{"option for another parser", appSchema("json", jsonAB, `{"delimiter": ",", "separator": "="}`),
			[]want{{sa, "app:events.configuration.delimiter", "does not apply to the json parser; it is read by the csv and kv parsers only", SeverityError},
				{sa, "app:events.configuration.separator", "does not apply to the json parser", SeverityError}}},
		{"optional keys not in schema", appSchema("json", jsonAB, `{"optional_top_level_keys": ["a", "zz"], "envelope_keys": {"env": "string"}, "optional_envelope_keys": ["nope"]}`),
			[]want{{sa, "app:events.configuration.optional_top_level_keys[1]", `"zz" is not a key of schema`, SeverityError},
				{sa, "app:events.configuration.optional_envelope_keys[0]", `"nope" is not a key of envelope_keys`, SeverityError}}},
		{"priority not an integer", map[string]string{sa: `{"x:a": {"parser": "json", "schema": {}, "configuration": {"priority": "1"}},
			"x:b": {"parser": "json", "schema": {}, "configuration": {"priority": 1.5}},
			"x:c": {"parser": "json", "schema": {}, "configuration": {"priority": true}}}`},
			[]want{{sa, "x:a.configuration.priority", "want integer, got string", SeverityError},
				{sa, "x:b.configuration.priority", "want integer, got 1.5", SeverityError},
				{sa, "x:c.configuration.priority", "want integer, got boolean", SeverityError}}},
		{"log pattern key not in schema", appSchema("json", jsonAB, `{"log_patterns": {"zz": "x*"}}`),
			[]want{{sa, "app:events.configuration.log_patterns.zz", `the schema has no key "zz" at the top level`, SeverityError}}},
		{"log pattern kinds", appSchema("json", jsonAB, `{"log_patterns": {"b": ["1*"], "a": {"x": "y"}, "d": {"f": []}}}`),
			[]want{{sa, "app:events.configuration.log_patterns.b", `patterns match strings only, but "b" is "integer"`, SeverityError},
				{sa, "app:events.configuration.log_patterns.a", `nested patterns need an object, but "a" is "string"`, SeverityError},
				{sa, "app:events.configuration.log_patterns.d.f", `the schema has no key "f" at d`, SeverityError},
				{sa, "app:events.configuration.log_patterns.d.f", "empty pattern list never matches", SeverityError}}},
		{"log pattern on missing envelope", appSchema("json", jsonAB, `{"log_patterns": {"streamalert:envelope_keys": {"t": "x"}}}`),
			[]want{{sa, "app:events.configuration.log_patterns.streamalert:envelope_keys", "the schema has no envelope_keys", SeverityError}}},
		{"json extraction options", appSchema("json", jsonAB, `{"embedded_json": true, "json_regex_key": "a"}`),
			[]want{{sa, "app:events.configuration.embedded_json", "embedded_json needs json_path", SeverityError}}},
		{"json_path beats json_regex_key", appSchema("json", jsonAB, `{"json_path": "x[*]", "json_regex_key": "a"}`),
			[]want{{sa, "app:events.configuration.json_regex_key", "ignored when json_path is set", SeverityError}}},
		{"csv characters", appSchema("csv", jsonAB, `{"delimiter": "||", "quotechar": ""}`),
			[]want{{sa, "app:events.configuration.delimiter", `delimiter must be exactly one character, got "||"`, SeverityError},
				{sa, "app:events.configuration.quotechar", "quotechar must be exactly one character", SeverityError}}},
		{"kv separator", appSchema("kv", jsonAB, `{"separator": ""}`),
			[]want{{sa, "app:events.configuration.separator", "must not be empty", SeverityError}}},
		{"syslog fields", appSchema("syslog", `{"timestamp": "string", "host": "string", "msg": "string"}`, ""),
			[]want{{sa, "app:events.schema", "a syslog schema must have exactly the keys application, host, message, timestamp", SeverityError}}},
		{"normalization shapes", appSchema("json", jsonAB, `{"normalization": {
			"mixed": ["a", {"path": ["a"]}],
			"extra": [{"path": ["a"], "fn": "x"}],
			"nopath": [{"function": "x"}],
			"missing": ["d", "zz"],
			"through": ["a", "x"],
			"open": ["o", "deep", "er"]}}`),
			[]want{{sa, "app:events.configuration.normalization.mixed[1]", "want string, got object", SeverityError},
				{sa, "app:events.configuration.normalization.extra[0].fn", `unknown key`, SeverityError},
				{sa, "app:events.configuration.normalization.nopath[0]", `missing required key "path"`, SeverityError},
				{sa, "app:events.configuration.normalization.missing", `the schema has no key "zz" at d`, SeverityError},
				{sa, "app:events.configuration.normalization.through", `"a" is "string", not an object`, SeverityError}}},
		{"normalization conditions", appSchema("json", jsonAB, `{"normalization": {"n": [
			{"path": ["a"], "condition": {"path": ["a"], "is": "x", "in": ["y"]}},
			{"path": ["a"], "condition": {"path": ["a"]}},
			{"path": ["a"], "condition": {"path": ["a"], "contains": ["x"]}}]}}`),
			[]want{{sa, "app:events.configuration.normalization.n[0].condition", "several operators [is in]", SeverityError},
				{sa, "app:events.configuration.normalization.n[1].condition", "without an operator", SeverityError},
				{sa, "app:events.configuration.normalization.n[2].condition.contains", "want string, got array", SeverityError}}},
		{"schema defined twice", map[string]string{"schemas/zz.json": `{"app:events": {"parser": "json", "schema": {}}}`},
			[]want{{"schemas/zz.json", "app:events", "already defined in schemas/app.json", SeverityError}}},
		{"data source without schema", map[string]string{"clusters/prod.json": `{"data_sources": {"kinesis": {"stream": ["app", "nope", "app:nope"]}}}`},
			[]want{{"clusters/prod.json", "data_sources.kinesis.stream[1]", `no schema of log family "nope"`, SeverityError},
				{"clusters/prod.json", "data_sources.kinesis.stream[2]", `no schema named "app:nope"`, SeverityError}}},
		{"data source shapes", map[string]string{"clusters/prod.json": `{"data_sources": {"kinesis": {"stream": []}, "sqs": {}}, "enable_threat_intel": 1}`},
			[]want{{"clusters/prod.json", "data_sources.kinesis.stream", "empty list of logs", SeverityError},
				{"clusters/prod.json", "data_sources.sqs", "unknown service (want one of kinesis, s3, sns, streamalert_app)", SeverityError},
				{"clusters/prod.json", "enable_threat_intel", "want boolean, got number", SeverityError}}},
		{"cluster without data_sources", map[string]string{"clusters/prod.json": `{"id": "prod"}`},
			[]want{{"clusters/prod.json", "", `missing required key "data_sources"`, SeverityError}}},
		{"resource in two clusters", map[string]string{"clusters/dev.json": `{"data_sources": {"s3": {"stream": ["app"]}}}`},
			[]want{{"clusters/prod.json", "data_sources.kinesis.stream", "resource already listed in clusters/dev.json (data_sources.s3.stream)", SeverityError}}},
		{"outputs shapes", map[string]string{"outputs.json": `{"aws-s3": ["b"], "slack": {"a": "b"}, "pagerduty": ["x:y", "ok", "ok"], "aws-sns": {"t": 1}}`},
			[]want{{"outputs.json", "aws-s3", "want an object of descriptor to aws-s3 resource name", SeverityError},
				{"outputs.json", "slack", "want a list of descriptors", SeverityError},
				{"outputs.json", "pagerduty[0]", `descriptor "x:y" must be non-empty without spaces or ':'`, SeverityError},
				{"outputs.json", "pagerduty[2]", `descriptor "ok" listed twice`, SeverityError},
				{"outputs.json", "aws-sns.t", "want string, got number", SeverityError}}},
		{"lookup tables", map[string]string{"lookup_tables.json": `{"enabled": true, "tables": {
			"a": {"driver": "redis"},
			"b": {"driver": "s3", "bucket": "x", "table": "t"},
			"c": {"driver": "dynamodb", "table": "t", "partition_key": "k", "cache_refresh_minutes": -1},
			"d": {"bucket": "x"},
			"e": {"driver": "file", "bucket": "x"}}}`},
			[]want{{"lookup_tables.json", "tables.a.driver", `unknown driver "redis"`, SeverityError},
				{"lookup_tables.json", "tables.b.table", "unknown key", SeverityError},
				{"lookup_tables.json", "tables.b", `missing required key "key"`, SeverityError},
				{"lookup_tables.json", "tables.c", `missing required key "value_key"`, SeverityError},
				{"lookup_tables.json", "tables.c.cache_refresh_minutes", "must not be negative", SeverityError},
				{"lookup_tables.json", "tables.d", `missing required key "driver"`, SeverityError},
				{"lookup_tables.json", "tables.e.bucket", "unknown key", SeverityError},
				{"lookup_tables.json", "tables.e", `missing required key "path"`, SeverityError}}},
		{"threat intel without normalized types", map[string]string{"threat_intel.json": `{"enabled": true, "normalized_ioc_types": {"ip": ["sourceAddress"]}}`},
			[]want{{"threat_intel.json", "", "threat_intel.json needs normalized_types.json", SeverityError}}},
		{"threat intel keys", map[string]string{
			"normalized_types.json": `{"app": {"sourceAddress": ["a"]}}`,
			"threat_intel.json":     `{"enabled": true, "normalized_ioc_types": {"ip": ["sourceAddress", "destAddress"]}, "excluded_iocs": {"ip": {"10.0.0.0/8": {}, "ten": {}}}}`},
			[]want{{"threat_intel.json", "normalized_ioc_types.ip[1]", `normalized type "destAddress" is not defined`, SeverityError},
				{"threat_intel.json", "excluded_iocs.ip.ten", "not an IP address or CIDR range", SeverityError}}},
		{"threat intel without ioc types", map[string]string{"normalized_types.json": `{}`, "threat_intel.json": `{"enabled": false}`},
			[]want{{"threat_intel.json", "", `missing required key "normalized_ioc_types"`, SeverityError}}},
		{"global keys", map[string]string{"global.json": `{"account": {"region": 1, "acount_id": "x"}, "general": {"rule_location": []}, "infrastructure": {"firehose": {"enabled": "yes", "enabled_logs": {"nope": {}}}}}`},
			[]want{{"global.json", "account.region", "want string, got number", SeverityError},
				{"global.json", "account.acount_id", "unknown key", SeverityError},
				{"global.json", "general.rule_location", "unknown key, ignored", SeverityWarning},
				{"global.json", "infrastructure.firehose.enabled", "want boolean, got string", SeverityError},
				{"global.json", "infrastructure.firehose.enabled_logs.nope", `no schema of log family or log type "nope"`, SeverityError}}},
		{"missing required files", map[string]string{"global.json": "", "clusters/prod.json": "", "schemas/app.json": ""},
			[]want{{"global.json", "", "cannot read: no such file or directory", SeverityError},
				{"clusters/", "", "cannot read directory", SeverityError},
				{"schemas/", "", "no schemas", SeverityError}}},
		{"raw files must be objects", map[string]string{"lambda.json": `[]`, "scheduled_queries.json": `{"a": 1, "a": 2}`},
			[]want{{"lambda.json", "", "want object, got array", SeverityError},
				{"scheduled_queries.json", "a", "duplicate key", SeverityError}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeConf(t, tc.files))
			ps := problemsOf(t, err)
			for _, w := range tc.want {
				p, ok := find(ps, w)
				if !ok {
					t.Errorf("no problem %+v in:\n%v", w, ps)
					continue
				}
				if (w.path != "" || strings.Contains(w.msg, "invalid JSON")) && p.Line == 0 {
					t.Errorf("problem %v has no line:column", p)
				}
			}
		})
	}
}
