package publish

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// fixtureRecord has nesting, lists of scalars and of objects, numbers in
// several spellings, characters Slack and JSON escape, and normalization
// results, which publishers never see.
const fixtureRecord = `{
	"eventName": "ConsoleLogin",
	"sourceIPAddress": "198.51.100.7",
	"userIdentity": {"type": "IAMUser", "userName": "alice", "accountId": "123456789012",
		"sessionContext": {"mfaAuthenticated": false}},
	"requestParameters": null,
	"tags": ["prod", "pci", 3, 1.5, true, null],
	"events": [{"userName": "alice", "ports": [22, 443]}, {"userName": "bob"}],
	"empty": {"list": [], "obj": {}},
	"note": "a <b> & \"c\" 'd' é ✓ 🔒",
	"big": 12345678901234567890,
	"ratio": 1e-7,
	"streamalert_normalization": {"user": [{"values": ["alice"], "function": "User"}]}
}`

const fixtureDescription = `Detects console logins without MFA.

author: Alice Example
playbook: https://wiki.example.com/playbooks/
    console-login-without-mfa
ATT&CK Tactic: Initial Access`

func fixture(t testing.TB, publishers map[string][]string, context string) *alert.Alert {
	t.Helper()
	a, err := alert.New(alert.Params{
		RuleName: "console_login_no_mfa", RuleDescription: fixtureDescription, Severity: "high",
		Record: json.RawMessage(fixtureRecord), Context: json.RawMessage(context),
		Outputs:  []string{"slack:soc", "pagerduty-v2:oncall", "demisto:ir"},
		Required: []string{ArchiveOutput}, Publishers: publishers,
		Cluster: "prod", LogSource: "cloudtrail:events", LogType: "json",
		SourceService: "s3", SourceEntity: "prod-cloudtrail-bucket",
		Created: time.Date(2024, 5, 1, 12, 0, 0, 123456000, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	a.ID = "018f3411-9f0b-7e1a-8000-000000000042" // stable in golden files
	return a
}

const fixtureContext = `{
	"remove_fields": ["^userName$", "Id$"],
	"populate_fields": ["userName", "ports", "missing"],
	"slack_message_template": "{rule_name!r} fired for {record[userIdentity][userName]:>8} ({record[tags][0]}) {{literal}}",
	"demisto": {"incident_type": "Console Login", "severity": 3},
	"nested": {"streamalert_normalization": {"x": 1}, "keep": 1}
}`

type composeCase struct {
	name       string
	output     string
	publishers map[string][]string
	context    string // fixtureContext when empty
}

func composeCases() []composeCase {
	slack, pd := "slack:soc", "pagerduty-v2:oncall"
	chain := func(names ...string) map[string][]string { return map[string][]string{slack: names, pd: names} }
	return []composeCase{
		{name: "default", output: slack},
		{name: "archive_gets_default", output: ArchiveOutput, publishers: map[string][]string{"aws-firehose": {"blank"}, ArchiveOutput: {"blank"}}},
		{name: "add_record", output: slack, publishers: chain("add_record")},
		{name: "full_names", output: slack, publishers: chain("streamalert.shared.publisher.DefaultPublisher",
			"publishers.community.generic.remove_internal_fields")},
		{name: "service_then_output_keys", output: slack, publishers: map[string][]string{
			"slack": {"DefaultPublisher"}, slack: {"remove_internal_fields"}}},
		{name: "unknown_names_skipped", output: slack, publishers: chain("no_such_publisher", "add_record")},
		{name: "only_unknown_names", output: slack, publishers: chain("no_such_publisher")},
		{name: "blank", output: slack, publishers: chain("DefaultPublisher", "blank")},
		{name: "remove_fields", output: slack, publishers: chain("DefaultPublisher", "remove_fields")},
		{name: "remove_streamalert_normalization", output: slack, publishers: chain("DefaultPublisher", "remove_streamalert_normalization")},
		{name: "enumerate_fields", output: slack, publishers: chain("add_record", "enumerate_fields")},
		{name: "populate_fields", output: slack, publishers: chain("add_record", "populate_fields")},
		{name: "stringify_arrays", output: slack, publishers: chain("add_record", "StringifyArrays")},
		{name: "pagerduty_layout", output: pd, publishers: chain("add_record", "ShortenTitle", "as_custom_details",
			"v2_high_urgency", "PrettyPrintArrays", "AttachImage")},
		{name: "pagerduty_low_urgency", output: pd, publishers: chain("v2_high_urgency", "v2_low_urgency")},
		{name: "slack_layout", output: slack, publishers: chain("DefaultPublisher", "Summary", "AttachRuleInfo",
			"AttachPublication", "AttachStringTemplate", "AttachFullRecord")},
		{name: "slack_template_without_summary", output: slack, publishers: chain("DefaultPublisher", "AttachStringTemplate")},
		{name: "slack_missing_template", output: slack, publishers: chain("AttachStringTemplate"), context: `{}`},
		{name: "slack_publication_needs_summary", output: slack, publishers: chain("add_record", "AttachPublication")},
		{name: "demisto_classification", output: "demisto:ir", publishers: map[string][]string{"demisto": {"demisto_classification"}}},
		{name: "demisto_without_context", output: "demisto:ir", publishers: map[string][]string{"demisto": {"demisto_classification"}}, context: `{}`},
	}
}

func TestCompose(t *testing.T) {
	c := New(Options{Logger: slog.New(slog.DiscardHandler)})
	for _, tc := range composeCases() {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.context
			if ctx == "" {
				ctx = fixtureContext
			}
			got, err := c.Compose(fixture(t, tc.publishers, ctx), tc.output)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := json.Indent(&b, got, "", "  "); err != nil {
				t.Fatal(err)
			}
			b.WriteByte('\n')
			compareGolden(t, filepath.Join("testdata", tc.name+".golden"), b.String())
		})
	}
}

// TestAttachFullRecordSplits: a record longer than a Slack attachment is
// cut at line ends into several, first and last marked.
func TestAttachFullRecordSplits(t *testing.T) {
	var long strings.Builder
	long.WriteString(`{"user":"alice"`)
	for i := range 300 {
		long.WriteString(`,"field_` + strconv.Itoa(i) + `":"` + strings.Repeat("v", 20) + `"`)
	}
	long.WriteString(`}`)
	a, err := alert.New(alert.Params{RuleName: "r", Record: json.RawMessage(long.String()), Outputs: []string{"slack:soc"},
		Publishers: map[string][]string{"slack:soc": {"AttachFullRecord"}}, SourceEntity: "stream", SourceService: "kinesis"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := New(Options{}).Compose(a, "slack:soc")
	if err != nil {
		t.Fatal(err)
	}
	var pub struct {
		Attachments []struct {
			Author, Title, Text, Footer string
			Fields                      []map[string]string
		} `json:"@slack.attachments"`
	}
	if err := json.Unmarshal(out, &pub); err != nil {
		t.Fatal(err)
	}
	n := len(pub.Attachments)
	if n < 3 {
		t.Fatalf("%d attachments, want the record split in several", n)
	}
	var joined strings.Builder
	for i, att := range pub.Attachments {
		if len(att.Text) > 4000 {
			t.Errorf("attachment %d is %d characters", i, len(att.Text))
		}
		joined.WriteString(strings.TrimSuffix(strings.TrimPrefix(att.Text, "```\n"), "\n```"))
		if (i == 0) != (att.Title == "Record" && att.Author == "stream") {
			t.Errorf("attachment %d: title %q author %q", i, att.Title, att.Author)
		}
		if (i == n-1) != (len(att.Fields) == 1 && att.Footer != "") {
			t.Errorf("attachment %d: fields %v footer %q", i, att.Fields, att.Footer)
		}
	}
	if want := "\n" + htmlEscape(pyJSON(mustDecode(t, long.String()))); joined.String() != want {
		t.Error("the parts do not join back to the record")
	}
}

func mustDecode(t *testing.T, s string) map[string]any {
	t.Helper()
	m, err := decodeObject(json.RawMessage(s))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestComposeErrors: a publisher failing on an alert fails its delivery
// with the publisher's name and why, and never panics.
func TestComposeErrors(t *testing.T) {
	tests := []struct {
		name, publisher, context, want string
	}{
		{"bad regular expression", "remove_fields", `{"remove_fields":["(unclosed"]}`, "publisher remove_fields: context remove_fields"},
		{"remove_fields not a list", "remove_fields", `{"remove_fields":"^a$"}`, "not a list"},
		{"template names a missing field", "AttachStringTemplate", `{"slack_message_template":"{nope}"}`, `no key "nope"`},
		{"template with a positional field", "AttachStringTemplate", `{"slack_message_template":"{}"}`, "positional"},
		{"template not a string", "AttachStringTemplate", `{"slack_message_template":1}`, "not a string"},
		{"demisto context not an object", "demisto_classification", `{"demisto":[1]}`, "not an object"},
	}
	c := New(Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := fixture(t, map[string][]string{"slack:soc": {"DefaultPublisher", tt.publisher}}, tt.context)
			_, err := c.Compose(a, "slack:soc")
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), a.ID) {
				t.Fatalf("Compose error = %v, want it to name the alert and say %q", err, tt.want)
			}
		})
	}
}

// TestPanicIsAnError: a publisher that panics fails the delivery only.
func TestPanicIsAnError(t *testing.T) {
	c := New(Options{Publishers: []Publisher{{Name: "boom", Func: func(*Alert, Publication) (Publication, error) {
		panic("index out of range")
	}}}})
	_, err := c.Compose(fixture(t, map[string][]string{"slack:soc": {"boom"}}, ""), "slack:soc")
	if err == nil || !strings.Contains(err.Error(), "publisher boom: panic") {
		t.Fatalf("Compose error = %v", err)
	}
}

// TestUnknownReportedOncePerRule: an unknown name is logged once per rule,
// however many alerts and outputs name it.
func TestUnknownReportedOncePerRule(t *testing.T) {
	var logs syncBuffer
	c := New(Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	pubs := map[string][]string{"slack:soc": {"nope"}, "pagerduty-v2:oncall": {"nope"}}
	for range 3 {
		for _, out := range []string{"slack:soc", "pagerduty-v2:oncall"} {
			if _, err := c.Compose(fixture(t, pubs, ""), out); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := strings.Count(logs.String(), "unknown publisher"); n != 1 {
		t.Errorf("reported %d times, want once:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "rule=console_login_no_mfa") || !strings.Contains(logs.String(), "publisher=nope") {
		t.Errorf("report does not name rule and publisher: %s", logs.String())
	}
}

func TestCheck(t *testing.T) {
	c := New(Options{})
	if err := c.Check([]string{"Summary", "publishers.community.generic.add_record"}); err != nil {
		t.Errorf("Check(known) = %v", err)
	}
	err := c.Check([]string{"Summary", "nope", "publishers.community.generic.Summary"})
	if !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), "nope, publishers.community.generic.Summary") {
		t.Errorf("Check(unknown) = %v", err)
	}
}

func TestAssign(t *testing.T) {
	outputs := []string{ArchiveOutput, "pagerduty:oncall", "slack:ops", "slack:soc"}
	got := Assign(outputs, Spec{ByKey: map[string][]string{"slack": {"Summary"}, "slack:soc": {"AttachFullRecord"}}})
	want := map[string][]string{"slack:ops": {"Summary"}, "slack:soc": {"Summary", "AttachFullRecord"}}
	if !equalMaps(got, want) {
		t.Errorf("Assign(by key) = %v, want %v", got, want)
	}
	got = Assign(outputs, Spec{All: []string{"add_record"}})
	want = map[string][]string{"pagerduty:oncall": {"add_record"}, "slack:ops": {"add_record"}, "slack:soc": {"add_record"}}
	if !equalMaps(got, want) {
		t.Errorf("Assign(all) = %v, want %v", got, want)
	}
	if got := Assign(outputs, Spec{}); got != nil {
		t.Errorf("Assign(none) = %v, want nil", got)
	}
}

func equalMaps(a, b map[string][]string) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it); got:\n%s", path, got)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDefaultForms: the default publication encoded straight from the
// alert (no publishers) holds the same JSON as the DefaultPublisher step.
func TestDefaultForms(t *testing.T) {
	c := New(Options{})
	direct, err := c.Compose(fixture(t, nil, fixtureContext), "slack:soc")
	if err != nil {
		t.Fatal(err)
	}
	chained, err := c.Compose(fixture(t, map[string][]string{"slack:soc": {"DefaultPublisher"}}, fixtureContext), "slack:soc")
	if err != nil {
		t.Fatal(err)
	}
	var a, b map[string]any
	if err := json.Unmarshal(direct, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(chained, &b); err != nil {
		t.Fatal(err)
	}
	delete(b, "publishers") // the only field that differs: the second alert names one
	delete(a, "publishers")
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Errorf("default publication forms differ:\n%s\n%s", ja, jb)
	}
}

// TestNormalizationHidden: outputs see neither normalization member of the
// record, StreamAlert's nor the normalized_types.json one sa adds, and
// populate_fields finds no value inside them.
func TestNormalizationHidden(t *testing.T) {
	c := New(Options{Logger: slog.New(slog.DiscardHandler)})
	a, err := alert.New(alert.Params{
		RuleName: "r", Outputs: []string{"slack:soc", "pagerduty:p"},
		Record: json.RawMessage(`{"userIdentity":{"userName":"alice"},` +
			`"streamalert_normalization":{"userName":[{"values":["v2"]}]},"streamalert:normalization":{"userName":["alice"]}}`),
		Context:    json.RawMessage(`{"populate_fields":["userName"]}`),
		Publishers: map[string][]string{"pagerduty": {"add_record", "populate_fields"}},
		Created:    time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	for output, want := range map[string]string{"slack:soc": `"userIdentity":{"userName":"alice"}`, "pagerduty:p": `{"userName":["alice"]}`} {
		got, err := c.Compose(a, output)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(got), want) || strings.Contains(string(got), "normalization") {
			t.Errorf("%s: %s, want %s and no normalization", output, got, want)
		}
	}
}

func TestRuleLinkFrom(t *testing.T) {
	for template, want := range map[string]string{
		DefaultRuleLink: "https://github.com/airbnb/streamalert/search?q=a_rule+path%3A%2Frules",
		"https://git.example.com/detections/-/search?search={rule}": "https://git.example.com/detections/-/search?search=a_rule",
		"": "",
	} {
		if got := RuleLinkFrom(template)("a_rule"); got != want {
			t.Errorf("%q: %q, want %q", template, got, want)
		}
	}
}
