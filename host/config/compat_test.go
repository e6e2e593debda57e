package config

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestLoadCompat loads StreamAlert's stock conf, which must load unchanged,
// and checks concrete values from it.
func TestLoadCompat(t *testing.T) {
	cfg := mustLoad(t, compatDir(t))

	if len(cfg.Schemas) != 65 {
		t.Errorf("%d schemas, want StreamAlert's 65", len(cfg.Schemas))
	}
	// The one warning: pan's log pattern on "type", a nested csv column.
	if len(cfg.Warnings) != 1 || cfg.Warnings[0].Path != "pan.configuration.log_patterns.type" {
		t.Errorf("warnings = %v, want only the one about pan's log_patterns", cfg.Warnings)
	}

	t.Run("global", func(t *testing.T) {
		a := cfg.Global.Account
		if a.Region != "us-east-1" || a.Prefix != "PREFIX_GOES_HERE" || a.KMSKeyAlias != "PREFIX_GOES_HERE_streamalert_secrets" {
			t.Errorf("account = %+v", a)
		}
		fh := cfg.Global.Infrastructure.Firehose
		if fh.Enabled || !fh.UsePrefix || fh.BufferSize != 128 || fh.BufferInterval != 900 {
			t.Errorf("firehose = %+v", fh)
		}
		if !slices.Equal(cfg.Global.General.RuleLocations, []string{"rules"}) {
			t.Errorf("rule_locations = %v", cfg.Global.General.RuleLocations)
		}
		if _, ok := cfg.Global.Infrastructure.Raw["alerts_table"]; !ok {
			t.Error("infrastructure.alerts_table not kept raw")
		}
	})

	t.Run("clusters", func(t *testing.T) {
		if len(cfg.Clusters) != 1 || cfg.Clusters[0].Name != "prod" || cfg.Clusters[0].EnableThreatIntel {
			t.Fatalf("clusters = %+v", cfg.Clusters)
		}
		if _, ok := cfg.Clusters[0].Modules["cloudwatch_monitoring"]; !ok {
			t.Error("modules.cloudwatch_monitoring not kept")
		}
		c, ok := cfg.ClusterOf(ServiceSNS, "prefix_cluster_sample_topic")
		if !ok || c.Name != "prod" {
			t.Errorf("ClusterOf(sns topic) = %v, %v", c, ok)
		}
	})

	t.Run("candidates", func(t *testing.T) {
		// The data_sources list order (cloudtrail, carbonblack, fleet,
		// packetbeat) does not matter: schemas come in global order, and
		// none of these has a priority, so file name order then file order.
		got, err := cfg.SchemasForSource(ServiceS3, "prefix.cluster.sample.bucket")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 35+3+1+2 || got[0] != "carbonblack:alert.status.updated" ||
			!slices.Equal(got[35:], []LogType{"cloudtrail:digest", "cloudtrail:events", "cloudtrail:insight", "fleet:results", "packetbeat:dns", "packetbeat:flow"}) {
			t.Errorf("s3 candidates = %v", got)
		}
		// ghe:general (priority 0) and ghe:syslog (1) come after the
		// unprioritized cloudwatch schemas read before them (key -1) and
		// before the osquery ones read after them (key 1, stable).
		got, _ = cfg.SchemasForSource(ServiceKinesis, "prefix_cluster1_streamalert")
		want := []LogType{"cloudwatch:cloudtrail", "cloudwatch:control_message", "cloudwatch:events", "cloudwatch:flow_logs",
			"cloudwatch:rds_aurora", "ghe:general", "ghe:syslog", "osquery:batch", "osquery:differential", "osquery:snapshot", "osquery:status"}
		if !slices.Equal(got, want) {
			t.Errorf("kinesis candidates =\n%v\nwant\n%v", got, want)
		}
		if _, err := cfg.SchemasForSource(ServiceKinesis, "nope"); err == nil || !strings.Contains(err.Error(), "unknown source") {
			t.Errorf("unknown resource: err = %v", err)
		}
	})

	t.Run("schemas", func(t *testing.T) {
		ct, ok := cfg.Schema("cloudtrail:events")
		if !ok || ct.Options.JSONPath != "Records[*]" || ct.Parser != ParserJSON || len(ct.Options.OptionalTopLevelKeys) != 18 {
			t.Fatalf("cloudtrail:events = %+v", ct)
		}
		if f, _ := field(ct.Fields, "userIdentity"); !f.Type.Open() {
			t.Errorf("userIdentity type = %v, want {}", f.Type)
		}
		rds, _ := cfg.Schema("cloudwatch:rds_aurora")
		var cols []string
		for _, f := range rds.Fields {
			cols = append(cols, f.Name)
		}
		if want := []string{"timestamp", "serverhost", "username", "host", "connectionid", "queryid", "operation", "database", "object", "retcode"}; !slices.Equal(cols, want) {
			t.Errorf("rds_aurora columns = %v, want %v", cols, want)
		}
		o := rds.Options
		if o.Delimiter != "," || o.QuoteChar != "'" || o.EscapeChar != `\` || o.JSONPath != "logEvents[*].message" || len(o.EnvelopeKeys) != 5 {
			t.Errorf("rds_aurora options = %+v", o)
		}
		ghe, _ := cfg.Schema("ghe:general")
		if ghe.Options.Priority == nil || *ghe.Options.Priority != 0 || ghe.Options.JSONRegexKey != "message" || len(ghe.Options.OptionalEnvelopeKeys) != 4 {
			t.Errorf("ghe:general options = %+v", ghe.Options)
		}
		pan, _ := cfg.Schema("pan")
		if msg, _ := field(pan.Fields, "message"); len(msg.Type.Fields) != 46 || msg.Type.Fields[0].Name != "prefix" {
			t.Errorf("pan message columns = %v", msg.Type)
		}
		// Raw values reach parser plugins byte for byte, key order kept.
		if !bytes.HasPrefix(rds.RawSchema, []byte("{\n      \"timestamp\": \"integer\",\n      \"serverhost\"")) {
			t.Errorf("RawSchema = %.60q", rds.RawSchema)
		}
	})

	t.Run("log patterns", func(t *testing.T) {
		cm, _ := cfg.Schema("cloudwatch:control_message")
		want := []LogPattern{{Key: envelopeKey, Nested: []LogPattern{{Key: "messageType", Globs: []string{"CONTROL_MESSAGE"}}}}}
		if got := cm.Options.LogPatterns; len(got) != 1 || got[0].Key != want[0].Key || !slices.Equal(got[0].Nested[0].Globs, want[0].Nested[0].Globs) {
			t.Errorf("control_message log_patterns = %+v", got)
		}
	})

	t.Run("normalization", func(t *testing.T) {
		ev, _ := cfg.Schema("cloudwatch:events")
		n := ev.Options.Normalization
		if len(n) != 5 || n[0].Name != "event_name" || !slices.Equal(n[0].Params[0].Path, []string{"detail", "eventName"}) || n[0].Params[0].Function != "" {
			t.Fatalf("cloudwatch:events normalization = %+v", n)
		}
		if p := n[1].Params[1]; n[1].Name != "account" || p.Function != "Source account ID" || !p.SendToArtifacts || len(p.Path) != 3 {
			t.Errorf("account param = %+v", p)
		}
		cb, _ := cfg.Schema("carbonblack:ingress.event.procstart")
		if p := cb.Options.Normalization[1].Params[1]; p.SendToArtifacts || p.Function != "Process parent path" {
			t.Errorf("send_to_artifacts false lost: %+v", p)
		}
	})

	t.Run("other files", func(t *testing.T) {
		if tgt, ok := cfg.Outputs.Lookup("aws-lambda", "sample-lambda"); !ok || tgt.Resource != "function-name:qualifier" {
			t.Errorf("aws-lambda:sample-lambda = %+v, %v", tgt, ok)
		}
		if _, ok := cfg.Outputs.Lookup("slack", "sample-channel"); !ok {
			t.Error("slack:sample-channel missing")
		}
		dyn, _ := cfg.LookupTables.Table("dynamo-backed-table")
		s3, _ := cfg.LookupTables.Table("s3-backed-table")
		if cfg.LookupTables.Enabled || dyn.Driver != DriverDynamoDB || dyn.CacheMaximumKeyCount != 3 || dyn.KeyDelimiter != ":" ||
			s3.Bucket != "s3-bucket-name" || s3.Key != "file.json" || s3.CacheRefreshMinutes != 10 {
			t.Errorf("lookup tables = %+v", cfg.LookupTables)
		}
		ti := cfg.ThreatIntel
		if ti.DynamoDBTableName != "table_name" || !slices.Equal(ti.NormalizedIOCTypes["ip"], []string{"sourceAddress", "destinationAddress", "deviceAddress"}) {
			t.Errorf("threat intel = %+v", ti)
		}
		if _, ok := ti.ExcludedIOCs["ip"]["10.0.0.0/8"]; !ok {
			t.Error("excluded 10.0.0.0/8 missing")
		}
		if got := cfg.NormalizedTypes["cloudtrail"]["sourceAddress"]; !slices.Equal(got, []string{"sourceIPAddress"}) {
			t.Errorf("normalized_types cloudtrail.sourceAddress = %v", got)
		}
		if !json.Valid(cfg.Lambda) || !json.Valid(cfg.ScheduledQueries) || !bytes.Contains(cfg.Lambda, []byte("alert_merger_config")) {
			t.Error("lambda.json / scheduled_queries.json not kept")
		}
	})
}

// TestOutputsRoundTrip checks that outputs.json written back in
// StreamAlert's format is byte for byte the file that was loaded.
func TestOutputsRoundTrip(t *testing.T) {
	cfg := mustLoad(t, compatDir(t))
	orig, err := os.ReadFile(filepath.Join(compatDir(t), "outputs.json"))
	if err != nil {
		t.Fatal(err)
	}
	compact, err := cfg.Outputs.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := json.Indent(&got, compact, "", "  "); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), orig) {
		t.Errorf("round trip differs:\n%s\nwant\n%s", got.Bytes(), orig)
	}
}

func TestWriteJSONStringLikePython(t *testing.T) {
	var b bytes.Buffer
	writeJSONString(&b, "a\"\\\n\x01<&>é😀\x7f")
	// json.dumps('a"\\\n\x01<&>é😀\x7f') in Python 3.
	if want := `"a\"\\\n\u0001<&>\u00e9\ud83d\ude00\u007f"`; b.String() != want {
		t.Errorf("got %s, want %s", b.String(), want)
	}
}
