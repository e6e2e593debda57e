package classify_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/streamalert-go/sa/host/classify"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

var fuzzSources = []classify.Source{
	{Service: "kinesis", Resource: "prefix_cluster1_streamalert"}, // cloudwatch (json, csv), ghe, osquery
	{Service: "s3", Resource: "prefix.cluster.sample.bucket"},     // cloudtrail, carbonblack, fleet, packetbeat
	kinesis("keys-stream"), kinesis("env-stream"), kinesis("pat-stream"), kinesis("norm-stream"), kinesis("any-stream"),
}

var (
	fuzzOnce sync.Once
	fuzzConf *classifyFixture
)

type classifyFixture struct {
	builtin *classify.Classifier
	hostile *classify.Classifier
	reply   func() (json.RawMessage, json.RawMessage)
	mu      sync.Mutex
}

// fixture loads the compat conf with the test schemas once per process.
func fixture(t testing.TB) *classifyFixture {
	fuzzOnce.Do(func() {
		cfg := confWith(t, map[string]string{"schemas/zz_test.json": testSchemas, "clusters/test.json": testCluster})
		fx := &classifyFixture{}
		fx.builtin = newClassifier(t, cfg, classify.Builtin())
		// A parser that hands back whatever the fuzzer chose, as a broken or
		// hostile plugin could.
		fx.hostile = newClassifier(t, cfg, fakeParsers(func(_ string, req saplugin.ParseRequest) ([]saplugin.ParseResult, error) {
			rec, env := fx.reply()
			out := make([]saplugin.ParseResult, len(req.Records))
			for i := range out {
				out[i].Candidates = []saplugin.Candidate{{Record: rec, Envelope: env}, {Record: req.Records[i]}}
			}
			return out, nil
		}))
		fuzzConf = fx
	})
	return fuzzConf
}

// FuzzClassify runs arbitrary raw records through the real parsers and
// arbitrary candidates (a hostile plugin) through the host's checks. No
// input may panic, fail the batch, or produce a record that is not a JSON
// object; every input record gets a result.
func FuzzClassify(f *testing.F) {
	seeds := []string{
		`{"Records": [{"eventName": "x"}]}`, `{"a": "x", "b": "1", "g": {"x": 1, "y": {"z": "2"}}}`,
		`{"host": "h", "port": "1", "events": [{"id": 1, "msg": "m"}, 2]}`, `{"type": "beta", "detail": {"kind": "kind"}}`,
		`{"account": "111", "detail": {"ip": "1.2.3.4"}, "ips": ["a", 1, {"b": 2}]}`,
		`{"logEvents": [{"message": "{\"a\": 1}"}], "messageType": "DATA_MESSAGE", "owner": "o", "logGroup": "g", "logStream": "s", "subscriptionFilters": []}`,
		"1,2,3\n4,5", `{"a": 1e400, "b": -0, "c": "\ud800"}`, `[{}]`, "\xff",
	}
	for i, s := range seeds {
		f.Add([]byte(s), []byte(`{"host": "h", "port": 2}`), uint8(i))
	}
	f.Fuzz(func(t *testing.T, raw, envelope []byte, pick uint8) {
		fx := fixture(t)
		src := fuzzSources[int(pick)%len(fuzzSources)]
		check(t, fx.builtin, src, raw)
		fx.mu.Lock()
		defer fx.mu.Unlock()
		fx.reply = func() (json.RawMessage, json.RawMessage) { return raw, envelope }
		check(t, fx.hostile, src, raw)
	})
}

func check(t *testing.T, c *classify.Classifier, src classify.Source, raw []byte) {
	res, err := c.Classify(context.Background(), src, [][]byte{raw, []byte(`{}`)})
	if err != nil {
		t.Fatalf("Classify: %v", err)
	}
	if len(res) != 2 {
		t.Fatalf("%d results for 2 records", len(res))
	}
	for _, r := range res {
		if len(r.Records) == 0 && r.Failure == nil {
			t.Fatal("a record with neither records nor a failure")
		}
		for _, rec := range r.Records {
			var m map[string]any
			if err := json.Unmarshal(rec.Data, &m); err != nil {
				t.Fatalf("record %q is not a JSON object: %v", rec.Data, err)
			}
		}
		if f := r.Failure; f != nil && f.LogType == "" && len(f.Attempts) == 0 {
			t.Fatal("a failure without reasons")
		}
	}
}
