package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store/sqlite"
	"github.com/streamalert-go/sa/internal/corpus"
)

// BenchmarkDispatch measures alerts delivered per second through the
// webhook plugin to local HTTP receivers, from alerts waiting in the
// SQLite store (with the production default, an fsync per commit) to every
// output's acknowledgement, with the default concurrency (4 per output).
// One op is one CloudTrail alert delivered to every output.
func BenchmarkDispatch(b *testing.B) {
	for _, outputs := range []int{1, 4} {
		b.Run(fmt.Sprintf("outputs=%d", outputs), func(b *testing.B) {
			benchDispatch(b, outputs)
		})
	}
}

func benchDispatch(b *testing.B, n int) {
	e := newEnv(b, envOptions{plugins: sharedPlugins(b), quiet: true})
	st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	e.store = st
	var delivered atomic.Int64
	done := make(chan struct{})
	want := int64(b.N * n)
	var outs []string
	for i := range n {
		rc := newReceiver(b, func(http.ResponseWriter, *http.Request, int) int {
			if delivered.Add(1) == want {
				close(done)
			}
			return http.StatusOK
		})
		name := fmt.Sprintf("o%d", i)
		e.addWebhook(name, rc)
		outs = append(outs, "webhook:"+name)
	}
	insertBench(b, st, outs, b.N)
	opts := e.options()
	opts.Now = time.Now
	b.ResetTimer()
	start := time.Now()
	_, stop := e.start(e.deps(), opts)
	select {
	case <-done:
	case <-time.After(10 * time.Minute):
		b.Fatalf("delivered %d of %d", delivered.Load(), want)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	stop()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "alerts/s")
	b.ReportMetric(float64(want)/elapsed.Seconds(), "sends/s")
}

// insertBench stores n CloudTrail alerts for outputs, in batches.
func insertBench(b *testing.B, st *sqlite.Store, outputs []string, n int) {
	events := corpus.CloudTrailEvents(min(n, 1000), 3)
	var batch []*alert.Alert
	for i := range n {
		a, err := alert.New(alert.Params{RuleName: "cloudtrail_activity", Record: json.RawMessage(events[i%len(events)]),
			Outputs: outputs, LogSource: "cloudtrail:events", LogType: "json"})
		if err != nil {
			b.Fatal(err)
		}
		batch = append(batch, a)
		if len(batch) == 500 || i == n-1 {
			if err := st.Insert(context.Background(), batch...); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}
