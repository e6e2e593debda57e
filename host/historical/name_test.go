package historical

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/config"
)

func TestSanitize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"eventName", "eventName"},
		{"cloudtrail:events", "cloudtrail_events"},
		{"a.b-c d/e", "a_b_c_d_e"},
		{"_under_score_09", "_under_score_09"},
		{"café", "caf_"}, // one '_' per character, not per byte
		{"日本", "__"},     // letters outside ASCII too
		{"streamalert:envelope_keys", "streamalert_envelope_keys"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Sanitize(tt.in); got != tt.want {
			t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStreamName(t *testing.T) {
	// The long case, worked by hand from the rule: the sanitized name is
	// over 64 characters; its first 56 end in "x" and the 55th is not
	// '_', so the 56th becomes '_'; then the MD5 of the whole sanitized
	// name, cut at 64.
	longType := "osquery:" + strings.Repeat("x", 60)
	longFull := "acme_streamalert_osquery_" + strings.Repeat("x", 60)
	sum := md5.Sum([]byte(longFull))
	longWant := longFull[:55] + "_" + hex.EncodeToString(sum[:])[:8]

	// A name whose 56th character is already '_' keeps its first 56.
	under := strings.Repeat("y", 38) + ":" + strings.Repeat("z", 20)
	underFull := "acme_streamalert_" + strings.Repeat("y", 38) + "_" + strings.Repeat("z", 20)
	usum := md5.Sum([]byte(underFull))
	underWant := underFull[:56] + hex.EncodeToString(usum[:])[:8]

	// A name whose 55th character is '_' (and 56th is not) drops the
	// 56th rather than doubling the '_'.
	before := strings.Repeat("w", 37) + ":" + strings.Repeat("v", 20)
	beforeFull := "acme_streamalert_" + strings.Repeat("w", 37) + "_" + strings.Repeat("v", 20)
	bsum := md5.Sum([]byte(beforeFull))
	beforeWant := beforeFull[:55] + hex.EncodeToString(bsum[:])[:9]

	tests := []struct {
		name      string
		prefix    string
		usePrefix bool
		logType   string
		want      string
	}{
		{"prefixed", "acme", true, "cloudtrail:events", "acme_streamalert_cloudtrail_events"},
		{"no prefix", "acme", false, "cloudtrail:events", "streamalert_cloudtrail_events"},
		{"bare family", "acme", true, "binaryalert", "acme_streamalert_binaryalert"},
		{"alerts", "acme", true, AlertsLogType, "acme_streamalert_alerts"},
		{"exactly 64", "acme", true, strings.Repeat("q", 47), "acme_streamalert_" + strings.Repeat("q", 47)},
		{"long", "acme", true, longType, longWant},
		{"56th is _", "acme", true, under, underWant},
		{"55th is _", "acme", true, before, beforeWant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := StreamName(tt.prefix, tt.usePrefix, tt.logType)
			if got != tt.want {
				t.Errorf("StreamName(%q, %v, %q) = %q, want %q", tt.prefix, tt.usePrefix, tt.logType, got, tt.want)
			}
			if len(got) > 64 {
				t.Errorf("%q is %d characters, over Firehose's 64", got, len(got))
			}
		})
	}
}

func TestTableName(t *testing.T) {
	for in, want := range map[string]string{"cloudtrail:events": "cloudtrail_events", "GSuite:Reports": "gsuite_reports", "binaryalert": "binaryalert"} {
		if got := TableName(in); got != want {
			t.Errorf("TableName(%q) = %q, want %q", in, got, want)
		}
	}
}

// firehoseConf is a conf enabling historical search for the given
// enabled_logs keys.
func firehoseConf(enabled bool, logs ...string) *config.Config {
	c := &config.Config{}
	c.Global.Account.Prefix = "acme"
	fh := &c.Global.Infrastructure.Firehose
	fh.Enabled, fh.UsePrefix = enabled, true
	fh.EnabledLogs = map[string]json.RawMessage{}
	for _, l := range logs {
		fh.EnabledLogs[l] = json.RawMessage(`{}`)
	}
	return c
}

func TestEnabled(t *testing.T) {
	conf := firehoseConf(true, "osquery", "cloudwatch:events", "binaryalert")
	tests := []struct {
		logType string
		want    bool
	}{
		{"osquery:differential", true}, // the family enables every type
		{"osquery:snapshot", true},
		{"cloudwatch:events", true},
		{"cloudwatch:flow_logs", false}, // only the named type of this family
		{"binaryalert", true},
		{"cloudtrail:events", false},
		{"osqueryx:differential", false},
	}
	for _, tt := range tests {
		if got := Enabled(conf, tt.logType); got != tt.want {
			t.Errorf("Enabled(%q) = %v, want %v", tt.logType, got, tt.want)
		}
	}
	if Enabled(firehoseConf(false, "osquery"), "osquery:differential") {
		t.Error("enabled_logs counted while firehose.enabled is false")
	}
	if Enabled(firehoseConf(true), "osquery:differential") {
		t.Error("empty enabled_logs enabled a log type")
	}
}
