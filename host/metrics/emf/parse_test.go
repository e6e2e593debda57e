package emf_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/metrics/emf"
)

// doc builds an EMF document from a directive's inner members and the
// root's other members.
func doc(directive, members string) string {
	return `{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{` + directive + `}]}` + members + `}`
}

func names(prefix string, n int, format string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(format, fmt.Sprintf("%s%03d", prefix, i))
	}
	return strings.Join(parts, ",")
}

func TestParseRejects(t *testing.T) {
	const ok = `"Namespace":"sa","Dimensions":[["function"]],"Metrics":[{"Name":"m","Unit":"Count"}]`
	cases := []struct{ name, doc, want string }{
		{"not JSON", `{"_aws":`, "not a JSON object"},
		{"trailing data", doc(ok, `,"function":"f","m":1`) + `x`, "not a JSON object"},
		{"no metadata", `{"function":"f","m":1}`, "_aws"},
		{"no timestamp", `{"_aws":{"CloudWatchMetrics":[]}}`, "Timestamp is missing"},
		{"fractional timestamp", `{"_aws":{"Timestamp":1.5,"CloudWatchMetrics":[]}}`, "milliseconds"},
		{"string timestamp", `{"_aws":{"Timestamp":"1","CloudWatchMetrics":[]}}`, "milliseconds"},
		{"no namespace", doc(`"Dimensions":[[]],"Metrics":[]`, ``), "required"},
		{"no dimension set", doc(`"Namespace":"sa","Dimensions":[],"Metrics":[]`, ``), "at least one"},
		{"dimension missing", doc(ok, `,"m":1`), "function has no string member"},
		{"dimension not a string", doc(ok, `,"function":3,"m":1`), "function has no string member"},
		{"dimension empty", doc(ok, `,"function":"","m":1`), "printable ASCII"},
		{"dimension not ASCII", doc(ok, `,"function":"f\u00e8","m":1`), "printable ASCII"},
		{"metric missing", doc(ok, `,"function":"f"`), "m has no member"},
		{"metric a string", doc(ok, `,"function":"f","m":"1"`), "not a number"},
		{"metric empty array", doc(ok, `,"function":"f","m":[]`), "0 values"},
		{"metric array too long", doc(ok, `,"function":"f","m":[`+strings.TrimSuffix(strings.Repeat("1,", 101), ",")+`]`), "101 values"},
		{"bad unit", doc(`"Namespace":"sa","Dimensions":[[]],"Metrics":[{"Name":"m","Unit":"Requests"}]`, `,"m":1`), "not a CloudWatch unit"},
		{"bad resolution", doc(`"Namespace":"sa","Dimensions":[[]],"Metrics":[{"Name":"m","StorageResolution":5}]`, `,"m":1`), "StorageResolution"},
		{"too many metrics", doc(`"Namespace":"sa","Dimensions":[[]],"Metrics":[`+names("m", 101, `{"Name":%q}`)+`]`, ","+names("m", 101, `%q:1`)), "101 metrics"},
		{"too many dimensions", doc(`"Namespace":"sa","Dimensions":[[`+names("d", 31, `%q`)+`]],"Metrics":[]`, ","+names("d", 31, `%q:"v"`)), "31 dimensions"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := emf.Parse([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestParseReads(t *testing.T) {
	line := doc(`"Namespace":"sa","Dimensions":[["function"],[]],"Metrics":[{"Name":"m","Unit":"Seconds"},{"Name":"n"}]`,
		`,"function":"rules","m":[1,2.5],"n":7,"requestId":"r-1"`)
	data, err := emf.Parse([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != 4 {
		t.Fatalf("%d data, want 2 metrics x 2 dimension sets: %v", len(data), data)
	}
	if v, ok := find(data, "n", "function=rules"); !ok || v != 7 {
		t.Errorf("n{function=rules} = %v, %v", v, ok)
	}
	if v, ok := find(data, "n"); !ok || v != 7 {
		t.Errorf("n{} = %v, %v", v, ok)
	}
	m := data[0]
	if m.Name != "m" || m.Unit != "Seconds" || len(m.Values) != 2 || m.Values[1] != 2.5 || m.Time.UnixMilli() != 1700000000000 {
		t.Errorf("m read as %+v", m)
	}
	if data[2].Unit != "None" {
		t.Errorf("a metric without a unit reads as %q, want None", data[2].Unit)
	}
}

func TestScanSkipsLogLines(t *testing.T) {
	in := `{"level":"INFO","msg":"started"}` + "\n" + `not json` + "\n" +
		doc(`"Namespace":"sa","Dimensions":[[]],"Metrics":[{"Name":"m"}]`, `,"m":2`) + "\n"
	data, err := emf.Scan(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := find(data, "m"); len(data) != 1 || !ok || v != 2 {
		t.Errorf("Scan read %v", data)
	}
	bad := doc(`"Namespace":"sa","Dimensions":[[]],"Metrics":[{"Name":"m"}]`, ``)
	if _, err := emf.Scan(strings.NewReader("x\n" + bad)); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("Scan of a broken document: %v, want an error naming line 2", err)
	}
}
