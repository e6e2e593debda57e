package emf_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/metrics/emf"
)

// maxEvent is CloudWatch Logs' limit on one log event, and so on one EMF
// document.
const maxEvent = 256 << 10

// checkLines fails t unless out is whole lines, each one EMF document the
// specification accepts: valid JSON, every metric the directives name a
// numeric member of the root, every dimension a string member. It returns
// what CloudWatch would extract.
func checkLines(t *testing.T, out []byte) []emf.Datum {
	t.Helper()
	if len(out) == 0 {
		return nil
	}
	if !bytes.HasSuffix(out, []byte("\n")) {
		t.Fatalf("output does not end with a newline: %q", out)
	}
	var all []emf.Datum
	for i, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
		if len(line) > maxEvent {
			t.Errorf("line %d is %d bytes, over CloudWatch Logs' %d", i+1, len(line), maxEvent)
		}
		if !json.Valid(line) {
			t.Fatalf("line %d is not JSON: %s", i+1, line)
		}
		got, err := emf.Parse(line)
		if err != nil {
			t.Fatalf("line %d: %v\n%s", i+1, err, line)
		}
		if len(got) == 0 {
			t.Errorf("line %d holds no metric: %s", i+1, line)
		}
		all = append(all, got...)
	}
	return all
}

// find returns the value of the datum named name whose dimensions are
// dims exactly, and whether there is one.
func find(data []emf.Datum, name string, dims ...string) (float64, bool) {
	want := map[string]string{}
	for _, d := range dims {
		k, v, _ := strings.Cut(d, "=")
		want[k] = v
	}
	for _, d := range data {
		if d.Name != name || len(d.Dimensions) != len(want) {
			continue
		}
		match := true
		for k, v := range want {
			if d.Dimensions[k] != v {
				match = false
			}
		}
		if match && len(d.Values) == 1 {
			return d.Values[0], true
		}
	}
	return 0, false
}
