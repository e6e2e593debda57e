package emf_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamalert-go/sa/host/metrics/emf"
)

func newWriter(t *testing.T, g prometheus.Gatherer, out *bytes.Buffer, dims map[string]string) *emf.Writer {
	t.Helper()
	w, err := emf.New(g, out, emf.Options{Dimensions: dims, Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// flushData flushes w and returns what CloudWatch would extract from the
// lines written, checked against the specification.
func flushData(t *testing.T, w *emf.Writer, out *bytes.Buffer) []emf.Datum {
	t.Helper()
	out.Reset()
	if err := w.Flush(); err != nil {
		t.Fatalf("flush: %v", err)
	}
	return checkLines(t, out.Bytes())
}

func TestSplitKeepsEveryMetric(t *testing.T) {
	reg := prometheus.NewRegistry()
	const n = 2*emf.MaxMetrics + 17
	for i := range n {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: fmt.Sprintf("sa_c%03d_total", i), Help: "h"})
		c.Add(float64(i + 1))
		reg.MustRegister(c)
	}
	var out bytes.Buffer
	data := flushData(t, newWriter(t, reg, &out, map[string]string{"function": "rules"}), &out)
	if lines := strings.Count(out.String(), "\n"); lines != 3 {
		t.Errorf("%d lines, want 3 (%d metrics, %d a directive)", lines, n, emf.MaxMetrics)
	}
	if len(data) != n {
		t.Fatalf("%d metrics extracted, want %d", len(data), n)
	}
	for i := range n {
		if v, ok := find(data, fmt.Sprintf("sa_c%03d_total", i), "function=rules"); !ok || v != float64(i+1) {
			t.Errorf("sa_c%03d_total = %v, %v; want %d", i, v, ok, i+1)
		}
	}
}

func TestCounterDeltas(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := counterVec(reg, "sa_alerts_total", "rule")
	var out bytes.Buffer
	w := newWriter(t, reg, &out, nil)
	steps := []struct {
		add  map[string]float64
		want map[string]float64 // rule → increase; absent: no datum
	}{
		{map[string]float64{"a": 4, "b": 1}, map[string]float64{"a": 4, "b": 1}},
		{map[string]float64{"a": 2}, map[string]float64{"a": 2}},
		{nil, nil},
		{map[string]float64{"b": 10, "c": 1}, map[string]float64{"b": 10, "c": 1}},
	}
	for i, s := range steps {
		for rule, v := range s.add {
			c.WithLabelValues(rule).Add(v)
		}
		data := flushData(t, w, &out)
		if len(data) != len(s.want) {
			t.Errorf("flush %d: %d data %v, want %v", i, len(data), data, s.want)
		}
		for rule, v := range s.want {
			if got, ok := find(data, "sa_alerts_total", "rule="+rule); !ok || got != v {
				t.Errorf("flush %d: rule %s = %v, %v; want %v", i, rule, got, ok, v)
			}
		}
	}
}

// constCollector reports fixed values, set between flushes.
type constCollector struct {
	desc  *prometheus.Desc
	typ   prometheus.ValueType
	value float64
}

func (c *constCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }
func (c *constCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(c.desc, c.typ, c.value)
}

func TestCounterResetCountsFromZero(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := &constCollector{desc: prometheus.NewDesc("sa_restarts_total", "h", nil, nil), typ: prometheus.CounterValue, value: 10}
	reg.MustRegister(c)
	var out bytes.Buffer
	w := newWriter(t, reg, &out, nil)
	flushData(t, w, &out)
	c.value = 3 // the source restarted
	if v, ok := find(flushData(t, w, &out), "sa_restarts_total"); !ok || v != 3 {
		t.Errorf("after a reset: %v, %v; want 3", v, ok)
	}
	c.value = 5
	if v, ok := find(flushData(t, w, &out), "sa_restarts_total"); !ok || v != 2 {
		t.Errorf("after the reset: %v, %v; want 2", v, ok)
	}
}

// failWriter fails every write while fail is set.
type failWriter struct {
	bytes.Buffer
	fail bool
}

var errDisk = errors.New("stdout closed")

func (f *failWriter) Write(p []byte) (int, error) {
	if f.fail {
		return 0, errDisk
	}
	return f.Buffer.Write(p)
}

func TestFailedWriteCarriesIncreases(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := counterVec(reg, "sa_alerts_total", "rule")
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sa_dispatch_seconds", Help: "h"})
	reg.MustRegister(h)
	out := &failWriter{fail: true}
	w, err := emf.New(reg, out, emf.Options{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	c.WithLabelValues("a").Add(2)
	h.Observe(1)
	if err := w.Flush(); !errors.Is(err, errDisk) {
		t.Fatalf("flush error %v, want the write's", err)
	}
	out.fail = false
	c.WithLabelValues("a").Add(1)
	h.Observe(2)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	data := checkLines(t, out.Bytes())
	for name, want := range map[string]float64{"sa_alerts_total": 3, "sa_dispatch_seconds_count": 2, "sa_dispatch_seconds_sum": 3} {
		dims := []string{"rule=a"}
		if name != "sa_alerts_total" {
			dims = nil
		}
		if v, ok := find(data, name, dims...); !ok || v != want {
			t.Errorf("%s = %v, %v; want %v: what the failed write lost must follow", name, v, ok, want)
		}
	}
}

func TestUnfitSeriesSkipped(t *testing.T) {
	reg := prometheus.NewRegistry()
	labels := make([]string, emf.MaxDimensions)
	values := make([]string, emf.MaxDimensions)
	for i := range labels {
		labels[i], values[i] = fmt.Sprintf("l%02d", i), "v"
	}
	wide := counterVec(reg, "sa_wide_total", labels...)
	wide.WithLabelValues(values...).Inc()
	ok := counterVec(reg, "sa_alerts_total", "rule")
	ok.WithLabelValues("a").Inc()
	var out bytes.Buffer
	w := newWriter(t, reg, &out, map[string]string{"function": "rules"}) // 31 dimensions with it
	err := w.Flush()
	if err == nil || !strings.Contains(err.Error(), "sa_wide_total") || !strings.Contains(err.Error(), "31 dimensions") {
		t.Errorf("flush error %v, want one naming sa_wide_total and its 31 dimensions", err)
	}
	data := checkLines(t, out.Bytes())
	if v, found := find(data, "sa_alerts_total", "function=rules", "rule=a"); !found || v != 1 {
		t.Errorf("the other series were not written: %v", data)
	}
}

func TestNewRefuses(t *testing.T) {
	reg := prometheus.NewRegistry()
	cases := []struct {
		name string
		o    emf.Options
		want string
	}{
		{"reserved namespace", emf.Options{Namespace: "AWS/Lambda"}, "reserved"},
		{"long namespace", emf.Options{Namespace: strings.Repeat("n", 256)}, "1 to 255"},
		{"empty dimension value", emf.Options{Dimensions: map[string]string{"cluster": ""}}, `"cluster" has no value`},
		{"blank dimension value", emf.Options{Dimensions: map[string]string{"cluster": "  "}}, `"cluster" has no value`},
		{"colon dimension", emf.Options{Dimensions: map[string]string{":x": "y"}}, "colon"},
		{"metadata dimension", emf.Options{Dimensions: map[string]string{"_aws": "y"}}, "metadata"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := emf.New(reg, &bytes.Buffer{}, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v, want an error with %q", err, tc.want)
			}
		})
	}
	if _, err := emf.New(nil, &bytes.Buffer{}, emf.Options{}); err == nil {
		t.Error("New took a nil gatherer")
	}
}

// lockedBuffer is a bytes.Buffer safe for concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// TestConcurrentFlushes counts while several goroutines flush: every
// increase is written exactly once.
func TestConcurrentFlushes(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := counterVec(reg, "sa_alerts_total", "rule")
	out := &lockedBuffer{}
	w, err := emf.New(reg, out, emf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const workers, incs = 4, 500
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			for j := range incs {
				c.WithLabelValues(fmt.Sprintf("r%d", j%3)).Inc()
				if j%50 == i {
					if err := w.Flush(); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, d := range checkLines(t, out.b.Bytes()) {
		sum += d.Values[0]
	}
	if sum != workers*incs {
		t.Errorf("increases written add up to %v, want %d", sum, workers*incs)
	}
}

// TestUnrepresentableValuesSkipped: JSON has no NaN or infinity, so such
// gauges are left out rather than breaking the line.
func TestUnrepresentableValuesSkipped(t *testing.T) {
	reg := prometheus.NewRegistry()
	nan := prometheus.NewGauge(prometheus.GaugeOpts{Name: "sa_nan", Help: "h"})
	nan.Set(math.NaN())
	inf := prometheus.NewGauge(prometheus.GaugeOpts{Name: "sa_inf", Help: "h"})
	inf.Set(math.Inf(1))
	fine := prometheus.NewGauge(prometheus.GaugeOpts{Name: "sa_fine", Help: "h"})
	fine.Set(1e-9)
	reg.MustRegister(nan, inf, fine)
	var out bytes.Buffer
	data := flushData(t, newWriter(t, reg, &out, nil), &out)
	if v, ok := find(data, "sa_fine"); len(data) != 1 || !ok || v != 1e-9 {
		t.Errorf("extracted %v, want only sa_fine = 1e-9", data)
	}
}

// TestMetricNamedLikeDimension: a root member cannot be both a dimension
// and a metric, so such a series is refused with an error.
func TestMetricNamedLikeDimension(t *testing.T) {
	reg := prometheus.NewRegistry()
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "function", Help: "h"})
	g.Set(1)
	reg.MustRegister(g)
	var out bytes.Buffer
	w := newWriter(t, reg, &out, map[string]string{"function": "rules"})
	if err := w.Flush(); err == nil || !strings.Contains(err.Error(), "name of a dimension") {
		t.Errorf("flush: %v, want a dimension name clash", err)
	}
	if out.Len() != 0 {
		t.Errorf("wrote %s", out.String())
	}
}

// flakyCollector reports a counter, or fails while down.
type flakyCollector struct {
	constCollector
	down bool
}

func (f *flakyCollector) Collect(ch chan<- prometheus.Metric) {
	if f.down {
		ch <- prometheus.NewInvalidMetric(f.desc, errors.New("source unavailable"))
		return
	}
	f.constCollector.Collect(ch)
}

// TestPartialGatherKeepsTotals: a collector failing for one flush must not
// have its whole count written again once it recovers.
func TestPartialGatherKeepsTotals(t *testing.T) {
	reg := prometheus.NewRegistry()
	f := &flakyCollector{constCollector: constCollector{desc: prometheus.NewDesc("sa_flaky_total", "h", nil, nil), typ: prometheus.CounterValue, value: 10}}
	other := prometheus.NewCounter(prometheus.CounterOpts{Name: "sa_other_total", Help: "h"})
	reg.MustRegister(f, other)
	var out bytes.Buffer
	w := newWriter(t, reg, &out, nil)
	flushData(t, w, &out)
	f.down = true
	other.Inc()
	out.Reset()
	if err := w.Flush(); err == nil || !strings.Contains(err.Error(), "source unavailable") {
		t.Errorf("flush: %v, want the collector's error", err)
	}
	if v, ok := find(checkLines(t, out.Bytes()), "sa_other_total"); !ok || v != 1 {
		t.Errorf("the other collector's increase was not written with the failure")
	}
	f.down, f.value = false, 12
	if v, ok := find(flushData(t, w, &out), "sa_flaky_total"); !ok || v != 2 {
		t.Errorf("after recovery sa_flaky_total = %v, %v; want the increase 2", v, ok)
	}
}
