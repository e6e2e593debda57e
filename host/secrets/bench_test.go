package secrets_test

import (
	"context"
	"fmt"
	"testing"
)

// The benchmarks report ops/s, the figure dispatch cares about: every
// alert delivery Gets its output's credentials once.

func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	s, _ := newStore(b)
	mustPut(b, s, "app/duo_auth/prod_collector", duoProd)
	for b.Loop() {
		if _, err := s.Get(ctx, "app/duo_auth/prod_collector"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

func BenchmarkGetParallel(b *testing.B) {
	ctx := context.Background()
	s, _ := newStore(b)
	mustPut(b, s, "app/duo_auth/prod_collector", duoProd)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Get(ctx, "app/duo_auth/prod_collector"); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkPut includes the two fsyncs of every write, so it measures the
// disk as much as the code.
func BenchmarkPut(b *testing.B) {
	ctx := context.Background()
	s, _ := newStore(b)
	i := 0
	for b.Loop() {
		i++
		if err := s.Put(ctx, fmt.Sprintf("output/bench/n%d", i%64), duoProd); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
