package sqlite

import (
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
)

var durabilities = []struct {
	name string
	d    Durability
}{{"full", Full}, {"normal", Normal}}

// BenchmarkInsert commits alerts one per transaction and 100 per
// transaction (how ingest commits a batch), reporting alerts/s.
func BenchmarkInsert(b *testing.B) {
	for _, d := range durabilities {
		for _, batch := range []int{1, 100} {
			b.Run(d.name+"/batch="+itoa(batch), func(b *testing.B) {
				s := openTemp(b, Options{Durability: d.d})
				alerts := make([]*alert.Alert, batch)
				n := 0
				for b.Loop() {
					for i := range alerts {
						alerts[i] = newAlert(b, n)
						n++
					}
					if err := s.Insert(ctx, alerts...); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "alerts/s")
			})
		}
	}
}

// BenchmarkDueSent is the dispatcher's cycle: lease due pairs, record them
// sent; one pair per call and 100 per call. Reports pairs/s.
func BenchmarkDueSent(b *testing.B) {
	for _, d := range durabilities {
		for _, batch := range []int{1, 100} {
			b.Run(d.name+"/batch="+itoa(batch), func(b *testing.B) {
				s := openTemp(b, Options{Durability: d.d})
				fill(b, s, 10_000) // a backlog: two outputs each
				now, pairs := time.Now(), 0
				for b.Loop() {
					ps, err := s.Due(ctx, store.DueRequest{Now: now, Limit: batch})
					if err == nil && len(ps) == 0 {
						b.StopTimer()
						fill(b, s, 10_000)
						b.StartTimer()
						ps, err = s.Due(ctx, store.DueRequest{Now: now, Limit: batch})
					}
					if err != nil || len(ps) == 0 {
						b.Fatalf("Due = %d pairs, %v", len(ps), err)
					}
					outs := make([]store.Outcome, len(ps))
					for i, p := range ps {
						outs[i] = p.Sent(now)
					}
					if err := s.Record(ctx, outs...); err != nil {
						b.Fatal(err)
					}
					pairs += len(ps)
				}
				b.ReportMetric(float64(pairs)/b.Elapsed().Seconds(), "pairs/s")
			})
		}
	}
}

func fill(b *testing.B, s *Store, n int) {
	var batch []*alert.Alert
	for i := range n {
		batch = append(batch, newAlert(b, i))
		if len(batch) == 1000 || i == n-1 {
			if err := s.Insert(ctx, batch...); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}
