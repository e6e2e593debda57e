package merge

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/internal/corpus"
)

// benchAlerts makes n CloudTrail alerts a second apart that merge by event
// name and region (48 keys) in 10-minute windows.
func benchAlerts(b *testing.B, n int) []*alert.Alert {
	out := make([]*alert.Alert, n)
	for i, ev := range corpus.CloudTrailEvents(n, 7) {
		out[i] = mk(b, spec{rule: "cloudtrail_activity", at: time.Duration(i) * time.Second, record: string(ev),
			keys: []string{"eventName", "awsRegion"}, window: 10 * time.Minute})
	}
	return out
}

// BenchmarkTick measures one merger pass over n waiting alerts whose
// windows have all passed: "plan" is grouping and building the merged
// records alone (the store answers from memory and discards the result),
// "sqlite" adds reading the candidates from and replacing the groups in
// the real store.
func BenchmarkTick(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{1000, 10000} {
		alerts := benchAlerts(b, n)
		now := T0.Add(time.Duration(n)*time.Second + time.Hour)
		b.Run(fmt.Sprintf("plan/alerts=%d", n), func(b *testing.B) {
			q := newFakeQueue(alerts...)
			q.discard = true
			m := New(q, Options{Limit: n + 1})
			for b.Loop() {
				if res, err := m.Tick(ctx, now); err != nil || res.Replaced != n {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "alerts/s")
		})
		b.Run(fmt.Sprintf("sqlite/alerts=%d", n), func(b *testing.B) {
			var spent time.Duration
			for i := 0; i < b.N; i++ {
				st := openStore(b)
				if err := st.Insert(ctx, alerts...); err != nil {
					b.Fatal(err)
				}
				m := New(st, Options{Limit: n})
				start := time.Now()
				res, err := m.Tick(ctx, now)
				spent += time.Since(start)
				if err != nil || res.Replaced != n {
					b.Fatalf("Tick = %+v, %v", res, err)
				}
			}
			b.ReportMetric(float64(spent.Milliseconds())/float64(b.N), "ms/tick")
			b.ReportMetric(float64(n)*float64(b.N)/spent.Seconds(), "alerts/s")
		})
	}
}
