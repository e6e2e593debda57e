package classify_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/streamalert-go/sa/internal/testbin"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/classify/testevent"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// sansV1 lists what sa adds to StreamAlert 3.5's records on purpose, and
// is removed before comparing with StreamAlert's own output: the v1
// normalization (see doc.go). Every other difference fails the test.
var sansV1 = []string{"streamalert:normalization"}

// goldenLine is one event's outcome, in the shape of StreamAlert's
// streamalert-parsed.jsonl.
type goldenLine struct {
	File          string            `json:"file"`
	Index         int               `json:"index"`
	ClassifiedLog string            `json:"classified_log"`
	ExpectedLog   string            `json:"expected_log"`
	Records       []json.RawMessage `json:"records"`
}

// runCompat runs every compat test event and returns sa's outcome per
// event, keyed "file[index]" with file relative to the compat directory.
func runCompat(t *testing.T, parsers classify.Parsers) ([]string, map[string]goldenLine) {
	t.Helper()
	dir := compatDir(t)
	cfg := loadConf(t, filepath.Join(dir, "conf"))
	events, errs := testevent.Load([]string{filepath.Join(dir, "rules")})
	if len(errs) > 0 || len(events) == 0 {
		t.Fatalf("load events: %v", errs)
	}
	r := &testevent.Runner{Config: cfg, Classifier: newClassifier(t, cfg, parsers),
		Now: func() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) }}
	var keys []string
	out := map[string]goldenLine{}
	for _, e := range events {
		o := r.Run(context.Background(), e)
		if !o.Passed() {
			t.Errorf("%s: found %q, expected %q: %v %+v", e.Name(), o.Found, e.Log, o.Err, o.Failures)
		}
		rel, _ := filepath.Rel(dir, e.File)
		g := goldenLine{File: filepath.ToSlash(rel), Index: e.Index, ClassifiedLog: string(o.Found), ExpectedLog: e.Log}
		for _, rec := range o.Records {
			g.Records = append(g.Records, json.RawMessage(rec.Data))
		}
		key := fmt.Sprintf("%s[%d]", g.File, g.Index)
		keys = append(keys, key)
		out[key] = g
	}
	return keys, out
}

// TestGoldenCompat classifies every compat test event, compares the output
// with the fingerprint in testdata/compat.sha256 (rewritten with -update;
// the compat corpus is not copied into the repository), and with what
// StreamAlert 3.5 produced for the same events.
func TestGoldenCompat(t *testing.T) {
	keys, got := runCompat(t, classify.Builtin())
	var buf bytes.Buffer
	for _, k := range keys {
		line, _ := json.Marshal(got[k])
		buf.Write(line)
		buf.WriteByte('\n')
	}
	testbin.Fingerprint(t, filepath.Join("testdata", "compat.sha256"), buf.Bytes(), *update)
	compareStreamAlert(t, got)
}

// compareStreamAlert checks sa's records against StreamAlert's for every
// event the StreamAlert golden file covers.
func compareStreamAlert(t *testing.T, got map[string]goldenLine) {
	f, err := os.Open(filepath.Join(compatDir(t), "golden", "streamalert-parsed.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	covered := 0
	for sc.Scan() {
		var sa struct {
			goldenLine
			Records []map[string]any `json:"records"`
		}
		if err := json.Unmarshal(sc.Bytes(), &sa); err != nil {
			t.Fatal(err)
		}
		key := fmt.Sprintf("%s[%d]", sa.File, sa.Index)
		ours, ok := got[key]
		if !ok {
			t.Errorf("%s: StreamAlert ran an event sa did not find", key)
			continue
		}
		covered++
		if ours.ClassifiedLog != sa.ClassifiedLog {
			t.Errorf("%s: sa classified %q, StreamAlert %q", key, ours.ClassifiedLog, sa.ClassifiedLog)
		}
		if mine := decodeRecords(t, ours.Records); !reflect.DeepEqual(mine, sa.Records) {
			a, _ := json.Marshal(mine)
			b, _ := json.Marshal(sa.Records)
			t.Errorf("%s: records differ from StreamAlert's\n sa:          %s\n StreamAlert: %s", key, a, b)
		}
	}
	if covered != len(got) {
		t.Logf("StreamAlert's golden file covers %d of %d events", covered, len(got))
	}
}

// decodeRecords decodes sa's records with the deliberate additions
// removed.
func decodeRecords(t *testing.T, recs []json.RawMessage) []map[string]any {
	var out []map[string]any
	for _, r := range recs {
		var m map[string]any
		if err := json.Unmarshal(r, &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range sansV1 {
			delete(m, k)
		}
		out = append(out, m)
	}
	return out
}

// TestGoldenThroughPlugins checks that the parser plugins, run as
// processes, give exactly what the linked-in parsers give.
func TestGoldenThroughPlugins(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugin binaries")
	}
	h := pluginsHost(t, "plugins/parser/json", "plugins/parser/csv")
	keys, viaPlugins := runCompat(t, h)
	_, builtin := runCompat(t, classify.Builtin())
	for _, k := range keys {
		a, _ := json.Marshal(viaPlugins[k])
		b, _ := json.Marshal(builtin[k])
		if !bytes.Equal(a, b) {
			t.Errorf("%s: through plugins\n%s\nlinked in\n%s", k, a, b)
		}
	}
	if !strings.Contains(fmt.Sprint(h.Statuses()), "parser.csv") {
		t.Error("the csv plugin was not used")
	}
}
