package classify_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/internal/corpus"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// benchSources are data_sources for the benchmark: one resource whose
// only candidate is cloudtrail:events, and one that lists every log family
// of the compat conf, so all 65 schemas are candidates and
// cloudtrail:events is tried after the 39 that sort before it.
const benchSources = `{
  "id": "bench",
  "data_sources": {
    "s3": {
      "bench-one": ["cloudtrail:events"],
      "bench-all": ["aliyun", "binaryalert", "box", "carbonblack", "cloudtrail", "cloudwatch", "duo", "fleet",
        "ghe", "gsuite", "okta", "onelogin", "osquery", "packetbeat", "pan", "slack", "streamquery", "trendmicro"]
    }
  }
}`

// Benchmark shape: a batch of raw records as CloudTrail writes them to
// S3, each a {"Records": [...]} document of perRecord events.
const (
	benchRaw       = 400
	benchPerRecord = 10
)

// BenchmarkClassify reports CloudTrail records (events) classified per
// second with all compat schemas loaded: through the json parser plugin
// and with the parser linked in, with 1 and with all 65 schemas as
// candidates, and through the compat conf's own bucket.
func BenchmarkClassify(b *testing.B) {
	cfg := confWith(b, map[string]string{"clusters/bench.json": benchSources})
	host := benchHost(b)
	batch := corpus.CloudTrailRecords(benchRaw, benchPerRecord, 42)
	parsers := []struct {
		name string
		p    classify.Parsers
	}{{"inprocess", classify.Builtin()}, {"plugin", host}}
	sources := []struct{ name, resource string }{
		{"schemas=1", "bench-one"}, {"schemas=all", "bench-all"}, {"compat-bucket", "prefix.cluster.sample.bucket"},
	}
	for _, src := range sources {
		for _, p := range parsers {
			b.Run(p.name+"/"+src.name, func(b *testing.B) {
				c := newClassifier(b, cfg, p.p)
				runClassify(b, c, classify.Source{Service: "s3", Resource: src.resource}, batch, host)
			})
		}
	}
}

// runClassify reports records/s (wall clock) and cpu-µs/record: the CPU
// time of this process and of the plugin processes per record, which a
// busy shared machine disturbs far less than the wall clock.
func runClassify(b *testing.B, c *classify.Classifier, src classify.Source, batch [][]byte, h *pluginhost.Host) {
	ctx := context.Background()
	size := 0
	for _, r := range batch {
		size += len(r)
	}
	b.SetBytes(int64(size))
	// The first call starts the plugin process; that is not the steady state.
	if _, err := c.Classify(ctx, src, batch[:1]); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime(h)
	for b.Loop() {
		res, err := c.Classify(ctx, src, batch)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(res[len(res)-1].Records); n != benchPerRecord || res[0].Failure != nil {
			b.Fatalf("last raw record gave %d records, first failure %+v", n, res[0].Failure)
		}
	}
	records := float64(b.N * len(batch) * benchPerRecord)
	b.ReportMetric(records/time.Since(start).Seconds(), "records/s")
	b.ReportMetric(float64((cpuTime(h)-cpu0).Microseconds())/records, "cpu-µs/record")
}

// benchHost installs the json parser plugin, built from this tree, and
// returns a host for it; SA_BENCH_PLUGIN_CPUPROFILE=file profiles the
// plugin's side of the calls.
func benchHost(b *testing.B) *pluginhost.Host {
	var env []string
	if prof := os.Getenv("SA_BENCH_PLUGIN_CPUPROFILE"); prof != "" {
		env = append(pluginhost.DefaultEnv(), saplugin.EnvCPUProfile+"="+prof)
	}
	return pluginsHostEnv(b, env, "plugins/parser/json")
}
