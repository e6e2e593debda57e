package outputcfg

import (
	"strings"
	"testing"
)

// sampleYAML is shaped like the sa.yaml `sa init` writes, with comments
// inside and around the outputs section.
const sampleYAML = `# sa's runtime configuration.
# Credentials are never written here.

# HTTP ingest.
listen: 127.0.0.1:8800

# Where plugins are found.
plugin_dirs: []

# Output instances.
outputs:
  # The sample.
  file:sample:
    path: "/tmp/home/alerts.jsonl"  # appended to
    fsync: false
  # trailing note

# Limits, after the outputs.
limits:
  max_body: 1000
`

func TestEditOutputs(t *testing.T) {
	webhook := []prop{{"timeout_seconds", int64(5)}, {"allow_http", true}, {"headers", []string{"X-Team: secops"}}}
	tests := []struct {
		name   string
		in     string
		key    string
		props  []prop
		remove bool
		want   string
	}{
		{
			name: "add after the last entry, before its trailing comment", in: sampleYAML, key: "webhook:soc", props: webhook,
			want: strings.Replace(sampleYAML, "    fsync: false\n", "    fsync: false\n"+
				"  webhook:soc:\n    timeout_seconds: 5\n    allow_http: true\n    headers:\n      - 'X-Team: secops'\n", 1),
		},
		{
			name: "add an entry without properties", in: sampleYAML, key: "slack:soc",
			want: strings.Replace(sampleYAML, "    fsync: false\n", "    fsync: false\n  slack:soc: {}\n", 1),
		},
		{
			name: "update keeps the line comments of kept properties", in: sampleYAML, key: "file:sample",
			props: []prop{{"path", "/var/log/sa.jsonl"}},
			want:  strings.Replace(sampleYAML, "    path: \"/tmp/home/alerts.jsonl\"  # appended to\n    fsync: false\n", "    path: /var/log/sa.jsonl # appended to\n", 1),
		},
		{
			name: "remove keeps the comments around", in: sampleYAML, key: "file:sample", remove: true,
			want: strings.Replace(sampleYAML, "  file:sample:\n    path: \"/tmp/home/alerts.jsonl\"  # appended to\n    fsync: false\n", "", 1),
		},
		{
			name: "remove an absent entry changes nothing", in: sampleYAML, key: "nosuch:x", remove: true, want: sampleYAML,
		},
		{
			name: "no outputs section", in: "listen: 127.0.0.1:8800\n", key: "webhook:soc", props: webhook[:1],
			want: "listen: 127.0.0.1:8800\n\n# Output instances by service:descriptor (sa output new): their properties\n" +
				"# that are not credentials. Credentials are kept in the secret store.\noutputs:\n  webhook:soc:\n    timeout_seconds: 5\n",
		},
		{
			name: "empty file", in: "", key: "slack:soc",
			want: "# Output instances by service:descriptor (sa output new): their properties\n" +
				"# that are not credentials. Credentials are kept in the secret store.\noutputs:\n  slack:soc: {}\n",
		},
		{
			name: "comments only", in: "# nothing yet\n", key: "slack:soc",
			want: "# nothing yet\n\n# Output instances by service:descriptor (sa output new): their properties\n" +
				"# that are not credentials. Credentials are kept in the secret store.\noutputs:\n  slack:soc: {}\n",
		},
		{
			name: "null section", in: "listen: x\noutputs:\n# next\nlimits: {}\n", key: "slack:soc",
			want: "listen: x\noutputs:\n  slack:soc: {}\n# next\nlimits: {}\n",
		},
		{
			name: "flow section becomes block", in: "outputs: {file:a: {path: /x}}\nlisten: x\n", key: "slack:soc",
			want: "outputs:\n  file:a: {path: /x}\n  slack:soc: {}\nlisten: x\n",
		},
		{
			name: "four-space indentation is kept", in: "outputs:\n    file:a:\n        path: /x\n", key: "webhook:soc", props: webhook[:2],
			want: "outputs:\n    file:a:\n        path: /x\n    webhook:soc:\n        timeout_seconds: 5\n        allow_http: true\n",
		},
		{
			name: "CRLF line endings are kept", in: "outputs:\r\n  file:a:\r\n    path: /x\r\n", key: "slack:soc",
			want: "outputs:\r\n  file:a:\r\n    path: /x\r\n  slack:soc: {}\r\n",
		},
		{
			name: "no final newline", in: "outputs:\n  file:a:\n    path: /x", key: "slack:soc",
			want: "outputs:\n  file:a:\n    path: /x\n  slack:soc: {}\n",
		},
		{
			name: "strings that look like other types are quoted", in: "outputs:\n", key: "x:y",
			props: []prop{{"a", "true"}, {"b", "10"}, {"c", "a: b"}},
			want:  "outputs:\n  x:y:\n    a: \"true\"\n    b: \"10\"\n    c: 'a: b'\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := editOutputs([]byte(tt.in), tt.key, tt.props, tt.remove)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestEditOutputsFallback: a layout the line edit does not handle (a flow
// style document) is re-encoded whole, and still means what was intended.
func TestEditOutputsFallback(t *testing.T) {
	got, err := editOutputs([]byte("{listen: x, outputs: {file:a: {path: /x}}}\n"), "file:a", nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := "listen: x\noutputs: {}\n"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEditOutputsRefusesNonMapping(t *testing.T) {
	if _, err := editOutputs([]byte("- a\n- b\n"), "x:y", nil, false); err == nil {
		t.Error("a list document was edited")
	}
}
