package streamquery

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/internal/testbin"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  *Config
		wants []string // substrings of the error, each naming the file and key
	}{
		{"empty is disabled", ``, &Config{Timeout: DefaultTimeout, Wait: DefaultWait, Packs: map[string]Pack{}}, nil},
		{"full", `{"enabled": true, "config": {"destination_kinesis_stream": "sa_queries", "sfn_timeout_secs": 600, "sfn_wait_secs": 10,
			"athena_workgroup": "security"},
			"packs": {"hourly": {"description": "Every hour", "schedule_expression": "rate(1 hour)"},
			          "daily": {"description": "", "schedule_expression": "cron(0 9 * * ? *)"}},
			"lambda_config": {"memory": 256, "timeout": 120, "log_level": "info"}}`,
			&Config{Enabled: true, Stream: "sa_queries", Timeout: 600 * time.Second, Wait: 10 * time.Second, Workgroup: "security",
				Packs:  map[string]Pack{"hourly": {"Every hour", "rate(1 hour)"}, "daily": {"", "cron(0 9 * * ? *)"}},
				Lambda: LambdaConfig{Memory: 256, Timeout: 120, LogLevel: "info"}}, nil},
		{"not an object", `[1]`, nil, []string{"scheduled_queries.json (top level): want an object, got an array"}},
		{"unknown keys", `{"enabled": false, "packz": {}, "config": {"sfn_wait": 3}}`, nil,
			[]string{"scheduled_queries.json packz: unknown key", "scheduled_queries.json config.sfn_wait: unknown key"}},
		{"wrong types", `{"enabled": "yes", "config": {"sfn_timeout_secs": 1.5, "destination_kinesis_stream": 3}}`, nil,
			[]string{"scheduled_queries.json enabled: want true or false, got string",
				"scheduled_queries.json config.sfn_timeout_secs: want a whole number",
				"scheduled_queries.json config.destination_kinesis_stream: want a string, got a number"}},
		{"enabled needs a stream and packs", `{"enabled": true}`, nil,
			[]string{"config.destination_kinesis_stream: required when enabled", "scheduled_queries.json packs: enabled with no packs"}},
		{"bad schedules and names", `{"packs": {"a b": {"schedule_expression": "rate(1 hours)"}, "x": {"schedule_expression": "every hour"},
			"c": {"description": "no schedule"}, "d": {"schedule_expression": "cron(0 9 * * *)"}}}`, nil,
			[]string{`packs.a b: pack name`, `packs.a b.schedule_expression: "rate(1 hours)"`, `packs.x.schedule_expression: "every hour"`,
				"packs.c.schedule_expression: required", `packs.d.schedule_expression: "cron(0 9 * * *)"`}},
		{"wait over timeout", `{"config": {"sfn_timeout_secs": 60, "sfn_wait_secs": 90}}`, nil,
			[]string{"config.sfn_wait_secs: 90: want 1 to sfn_timeout_secs (60) seconds"}},
		{"zero timeout", `{"config": {"sfn_timeout_secs": 0}}`, nil, []string{"config.sfn_timeout_secs: 0: want 1-86400"}},
		{"lambda sizes", `{"enabled": true, "config": {"destination_kinesis_stream": "s"}, "packs": {"p": {"schedule_expression": "rate(5 minutes)"}},
			"lambda_config": {"memory": 64, "timeout": 10}}`, nil,
			[]string{"lambda_config.memory: 64: want 128-10240", "lambda_config.timeout: 10: want 30-900"}},
		{"bad stream name", `{"config": {"destination_kinesis_stream": "no/slash"}}`, nil, []string{`config.destination_kinesis_stream: "no/slash": not a Kinesis stream name`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseConfig(json.RawMessage(tt.in))
			if tt.wants == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("got  %+v\nwant %+v", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; want %q", tt.wants)
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

// TestParseConfigCompat: StreamAlert's own scheduled_queries.json
// decodes, with its values.
func TestParseConfigCompat(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testbin.Root(t), "..", "shared", "compat", "conf", ConfigFile))
	if err != nil {
		t.Skipf("compat conf not found: %v", err)
	}
	c, err := ParseConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	if c.Enabled || c.Stream != "KINESIS_STREAM" || c.Timeout != 300*time.Second || c.Wait != 30*time.Second ||
		c.Packs["sample"].Schedule != "rate(1 hour)" || c.Lambda.Timeout != 60 || c.Lambda.Memory != 128 {
		t.Errorf("compat config decoded as %+v", c)
	}
}
