package classify

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/internal/corpus"
	"github.com/streamalert-go/sa/internal/testbin"
)

// TestPrefilterChangesNothing classifies the same records with and
// without the prefilter: the log types, records and failures must be the
// same (only the wording of the reasons may differ).
func TestPrefilterChangesNothing(t *testing.T) {
	with, without := prefilterPair(t)
	records := corpus.CloudTrailRecords(5, 3, 1)
	records = append(records, corpus.CloudTrailEvents(3, 2)...)
	for _, r := range []string{`{"Records": []}`, `{"Records": [1]}`, `{"logEvents": [{"message": "{}"}], "owner": "o"}`,
		`{"message": "x {\"a\": 1}", "host": "h"}`, `{}`, `[]`, `"text"`, `{"Records": [{"eventName": "x"}], "extra": 1}`,
		"\xef\xbb\xbf" + `{"Records": [{"eventVersion": "1"}]}`, `{"a": 1, "a": 2}`} {
		records = append(records, []byte(r))
	}
	for _, src := range compatSources {
		a, err1 := with.Classify(context.Background(), src, records)
		b, err2 := without.Classify(context.Background(), src, records)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		for i := range a {
			if !sameResult(a[i], b[i]) {
				t.Errorf("%v record %d (%.60s): with the prefilter %+v, without %+v", src, i, records[i], a[i], b[i])
			}
		}
	}
	prefiltered := 0
	for _, s := range with.schemas {
		if s.pre.on {
			prefiltered++
		}
	}
	if prefiltered < 55 {
		t.Errorf("only %d of %d compat schemas are prefiltered", prefiltered, len(with.schemas))
	}
}

var compatSources = []Source{{"s3", "prefix.cluster.sample.bucket"}, {"kinesis", "prefix_cluster1_streamalert"},
	{"sns", "prefix_cluster_sample_topic"}, {"streamalert_app", "prefix_cluster_duo_auth_sm-app-name_app"}}

var (
	pairOnce    sync.Once
	pairWith    *Classifier
	pairWithout *Classifier
)

// prefilterPair returns two classifiers of the compat conf, the second
// with the prefilter turned off.
func prefilterPair(t testing.TB) (with, without *Classifier) {
	pairOnce.Do(func() {
		cfg, err := config.Load(filepath.Join(testbin.Root(t), "..", "shared", "compat", "conf"))
		if err != nil {
			t.Fatal(err)
		}
		pairWith, _ = New(cfg, Options{Parsers: Builtin(), NewID: func() string { return "ID" }})
		pairWithout, _ = New(cfg, Options{Parsers: Builtin(), NewID: func() string { return "ID" }})
		for _, s := range pairWithout.schemas {
			s.pre = prefilter{}
		}
	})
	return pairWith, pairWithout
}

// FuzzPrefilter checks on arbitrary records that the prefilter only ever
// spares parser calls.
func FuzzPrefilter(f *testing.F) {
	for _, s := range []string{`{"Records": [{"eventName": "x"}]}`, `{"logEvents": [], "messageType": "x"}`, `{"a": 1}`,
		`{"message": "{\"action\": 1}"}`, "\xef\xbb\xbf{}", `{"docs": [{}]}`} {
		f.Add([]byte(s), uint8(0))
	}
	f.Fuzz(func(t *testing.T, raw []byte, pick uint8) {
		with, without := prefilterPair(t)
		src := compatSources[int(pick)%len(compatSources)]
		a, err1 := with.Classify(context.Background(), src, [][]byte{raw})
		b, err2 := without.Classify(context.Background(), src, [][]byte{raw})
		if err1 != nil || err2 != nil || !sameResult(a[0], b[0]) {
			t.Fatalf("%q from %v: with the prefilter %+v (%v), without %+v (%v)", raw, src, a, err1, b, err2)
		}
	})
}

func sameResult(a, b Result) bool {
	if len(a.Records) != len(b.Records) || (a.Failure == nil) != (b.Failure == nil) {
		return false
	}
	for i := range a.Records {
		if a.Records[i].LogType != b.Records[i].LogType || !bytes.Equal(a.Records[i].Data, b.Records[i].Data) {
			return false
		}
	}
	if a.Failure == nil {
		return true
	}
	fa, fb := a.Failure, b.Failure
	if fa.LogType != fb.LogType || len(fa.Attempts) != len(fb.Attempts) || len(fa.Rejected) != len(fb.Rejected) {
		return false
	}
	for i := range fa.Attempts {
		if fa.Attempts[i].LogType != fb.Attempts[i].LogType {
			return false
		}
	}
	return true
}
