package emf_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamalert-go/sa/host/dispatch"
	"github.com/streamalert-go/sa/host/metrics"
	"github.com/streamalert-go/sa/host/metrics/emf"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// start is the time of a test's first flush; each later flush is a minute
// on.
var start = time.UnixMilli(1700000000000).UTC()

func clock() func() time.Time {
	t := start.Add(-time.Minute)
	return func() time.Time {
		t = t.Add(time.Minute)
		return t
	}
}

// flusher writes the output of every flush of a golden case.
type flusher struct {
	t   *testing.T
	w   *emf.Writer
	out *bytes.Buffer
}

func (f flusher) flush() {
	f.t.Helper()
	if err := f.w.Flush(); err != nil {
		f.t.Fatalf("flush: %v", err)
	}
}

func counterVec(reg *prometheus.Registry, name string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: name + "."}, labels)
	reg.MustRegister(c)
	return c
}

// TestGolden checks the lines of a series of flushes against
// testdata/<case>.golden; go test -update rewrites them.
func TestGolden(t *testing.T) {
	cases := []struct {
		name string
		dims map[string]string
		run  func(reg *prometheus.Registry, f flusher)
	}{
		{"counter_labels", map[string]string{"function": "rules", "cluster": "prod"}, func(reg *prometheus.Registry, f flusher) {
			alerts := counterVec(reg, "sa_alerts_total", "rule")
			alerts.WithLabelValues("root_activity").Add(2)
			alerts.WithLabelValues("ssh_login").Inc()
			dispatch := counterVec(reg, "sa_dispatch_results_total", "output", "result")
			dispatch.WithLabelValues("slack:sec", "delivered").Add(3)
			dispatch.WithLabelValues("slack:sec", "retry").Inc()
			f.flush()
		}},
		{"gauges", nil, func(reg *prometheus.Registry, f flusher) {
			depth := 7.0
			reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "sa_journal_records", Help: "h"}, func() float64 { return depth }))
			up := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "sa_plugin_up", Help: "h"}, []string{"plugin", "state"})
			reg.MustRegister(up)
			up.WithLabelValues("output.slack", "running").Set(1)
			size := prometheus.NewGauge(prometheus.GaugeOpts{Name: "sa_buffer_bytes", Help: "h"})
			reg.MustRegister(size)
			size.Set(4096)
			f.flush()
			depth = 0 // a gauge is written at every flush, zero included
			f.flush()
		}},
		{"histogram", map[string]string{"function": "processor"}, func(reg *prometheus.Registry, f flusher) {
			h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "sa_dispatch_seconds", Help: "h"}, []string{"output"})
			s := prometheus.NewSummary(prometheus.SummaryOpts{Name: "sa_payload_bytes", Help: "h"})
			reg.MustRegister(h, s)
			h.WithLabelValues("slack:sec").Observe(0.5)
			h.WithLabelValues("slack:sec").Observe(1.25)
			s.Observe(100)
			f.flush()
			f.flush() // nothing observed: nothing written
			h.WithLabelValues("slack:sec").Observe(2)
			f.flush()
		}},
		{"deltas", map[string]string{"function": "classifier"}, func(reg *prometheus.Registry, f flusher) {
			in := counterVec(reg, "sa_records_in_total", "source")
			in.WithLabelValues("kinesis/a").Add(5)
			in.WithLabelValues("kinesis/b").Add(1)
			f.flush()
			in.WithLabelValues("kinesis/a").Add(3) // b stays: left out
			f.flush()
			f.flush() // no increase anywhere: no line
			in.WithLabelValues("kinesis/b").Add(0.5)
			f.flush()
		}},
		{"zero_omitted", map[string]string{"function": "rules"}, func(reg *prometheus.Registry, f flusher) {
			alerts := counterVec(reg, "sa_alerts_total", "rule")
			alerts.WithLabelValues("quiet") // a series at zero
			failed := prometheus.NewCounter(prometheus.CounterOpts{Name: "sa_alerts_store_failed_total", Help: "h"})
			reg.MustRegister(failed)
			alerts.WithLabelValues("busy").Inc()
			f.flush()
		}},
		{"split", map[string]string{"function": "rules"}, func(reg *prometheus.Registry, f flusher) {
			for i := range 150 {
				g := prometheus.NewGauge(prometheus.GaugeOpts{Name: fmt.Sprintf("sa_gauge_%03d", i), Help: "h"})
				g.Set(float64(i))
				reg.MustRegister(g)
			}
			f.flush()
		}},
		{"dimension_values", map[string]string{"function": "classifier", "source": "fixed"}, func(reg *prometheus.Registry, f flusher) {
			failed := counterVec(reg, "sa_records_failed_total", "source", "log_type")
			failed.WithLabelValues("kinesis/a", "").Inc()             // no log type: no dimension
			failed.WithLabelValues("kinesis/a", "r\u00e8gle\n").Inc() // not ASCII: '?'
			other := counterVec(reg, "sa_other_total", "kind")
			other.WithLabelValues("x").Inc() // no source label: the fixed one
			f.flush()
		}},
		{"pipeline", map[string]string{"function": "classifier", "cluster": "prod"}, func(reg *prometheus.Registry, f flusher) {
			p, err := metrics.NewPipeline(reg)
			if err != nil {
				f.t.Fatal(err)
			}
			p.Received("kinesis/sa_sample", 3, 1200)
			p.ClassifiedRecord("cloudtrail:events", true)
			p.ClassifiedRecord("cloudtrail:events", false)
			p.Failed.WithLabelValues("kinesis/sa_sample", "").Inc()
			p.ClassifiedSent.WithLabelValues(metrics.ResultSent).Add(2)
			p.S3Download.WithLabelValues("logs").Observe(0.25)
			p.Alerts.WithLabelValues("root_activity").Inc()
			p.Merged(1, 3)
			p.OnResult("slack:sec", dispatch.Delivered, 300*time.Millisecond)
			f.flush()
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			var out bytes.Buffer
			w, err := emf.New(reg, &out, emf.Options{Dimensions: tc.dims, Now: clock()})
			if err != nil {
				t.Fatal(err)
			}
			tc.run(reg, flusher{t, w, &out})
			checkLines(t, out.Bytes())
			golden := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("lines differ from %s:\n got: %s\nwant: %s", golden, out.Bytes(), want)
			}
		})
	}
}
