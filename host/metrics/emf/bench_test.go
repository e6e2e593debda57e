package emf_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamalert-go/sa/host/metrics/emf"
)

// BenchmarkFlush flushes 50 series that all changed: 30 counters, 10
// histograms (count and sum each) and 10 gauges.
func BenchmarkFlush(b *testing.B) {
	reg := prometheus.NewRegistry()
	alerts := counterVec(reg, "sa_alerts_total", "rule")
	results := counterVec(reg, "sa_dispatch_results_total", "output", "result")
	seconds := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "sa_dispatch_seconds", Help: "h"}, []string{"output"})
	up := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "sa_plugin_up", Help: "h"}, []string{"plugin"})
	reg.MustRegister(seconds, up)
	var counters []prometheus.Counter
	var observers []prometheus.Observer
	for i := range 10 {
		counters = append(counters, alerts.WithLabelValues(fmt.Sprint("rule_", i)),
			results.WithLabelValues(fmt.Sprint("slack:", i), "delivered"), results.WithLabelValues(fmt.Sprint("slack:", i), "retry"))
		observers = append(observers, seconds.WithLabelValues(fmt.Sprint("slack:", i)))
		up.WithLabelValues(fmt.Sprint("output.", i)).Set(1)
	}
	w, err := emf.New(reg, io.Discard, emf.Options{Dimensions: map[string]string{"function": "processor", "cluster": "prod"}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range counters {
			c.Inc()
		}
		for _, o := range observers {
			o.Observe(0.1)
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
	}
}
