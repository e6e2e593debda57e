package metrics_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"

	"github.com/streamalert-go/sa/host/dispatch"
	"github.com/streamalert-go/sa/host/metrics"
)

func newPipeline(t *testing.T) (*metrics.Pipeline, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	p, err := metrics.NewPipeline(reg)
	if err != nil {
		t.Fatal(err)
	}
	return p, reg
}

// families gathers reg by name.
func families(t *testing.T, reg *prometheus.Registry) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

// value is the counter, gauge or histogram count of the series of name
// with the labels given as name=value.
func value(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	mf := families(t, reg)[name]
	for _, m := range mf.GetMetric() {
		var got []string
		for _, lp := range m.GetLabel() {
			got = append(got, lp.GetName()+"="+lp.GetValue())
		}
		if !slices.Equal(got, labels) {
			continue
		}
		switch mf.GetType() {
		case dto.MetricType_HISTOGRAM:
			return float64(m.GetHistogram().GetSampleCount())
		default:
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// touch makes one series of every family, so that all are gathered.
func touch(p *metrics.Pipeline) {
	p.Received("kinesis/a", 1, 10)
	p.S3Download.WithLabelValues("b").Observe(1)
	p.ClassifiedRecord("cloudtrail:events", true)
	p.Failed.WithLabelValues("kinesis/a", "")
	p.ClassifiedSent.WithLabelValues(metrics.ResultSent)
	p.FirehoseRecords.WithLabelValues("s", metrics.ResultSent)
	p.ArtifactsExtracted.WithLabelValues("cloudtrail:events")
	p.Alerts.WithLabelValues("r")
	p.OnResult("slack:x", dispatch.Delivered, time.Second)
	p.AppPolls.WithLabelValues("a", metrics.ResultOK)
	p.AppRecords.WithLabelValues("a")
}

// TestNamesFollowConventions lints every family as Prometheus's promlint
// does (counters end in _total, base units, help present) and checks the
// sa_ prefix.
func TestNamesFollowConventions(t *testing.T) {
	p, reg := newPipeline(t)
	touch(p)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(mfs) != 17 {
		t.Errorf("%d families gathered, want 17", len(mfs))
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range problems {
		t.Errorf("%s: %s", pr.Metric, pr.Text)
	}
	for _, mf := range mfs {
		if !strings.HasPrefix(mf.GetName(), "sa_") {
			t.Errorf("%s lacks the sa_ prefix", mf.GetName())
		}
	}
}

// TestEmbeddedNamesKept pins the names, labels and help of the metrics sa
// serve exposed before they moved here: dashboards depend on them.
func TestEmbeddedNamesKept(t *testing.T) {
	p, reg := newPipeline(t)
	touch(p)
	got := families(t, reg)
	want := []struct {
		name, help string
		labels     []string
	}{
		{"sa_records_in_total", "Raw records accepted, by ingest source.", []string{"source"}},
		{"sa_records_classified_total", "Records classified, by log type.", []string{"log_type"}},
		{"sa_records_failed_total", "Records not classified, kept in the dead letter store, by source and by the log type that rejected them (empty when no schema accepted the raw record).", []string{"log_type", "source"}},
		{"sa_alerts_total", "Alerts created, by rule.", []string{"rule"}},
		{"sa_dispatch_results_total", "Delivery attempts, by output and result.", []string{"output", "result"}},
		{"sa_dispatch_seconds", "Time of one delivery attempt, by output.", []string{"output"}},
		{"sa_app_polls_total", "App polls, by app instance and result.", []string{"app", "result"}},
	}
	for _, w := range want {
		mf := got[w.name]
		if mf == nil {
			t.Errorf("%s is gone", w.name)
			continue
		}
		if mf.GetHelp() != w.help {
			t.Errorf("%s help %q, want %q", w.name, mf.GetHelp(), w.help)
		}
		var labels []string
		for _, lp := range mf.GetMetric()[0].GetLabel() {
			labels = append(labels, lp.GetName())
		}
		if !slices.Equal(labels, w.labels) {
			t.Errorf("%s labels %v, want %v", w.name, labels, w.labels)
		}
	}
	if b := got["sa_dispatch_seconds"].GetMetric()[0].GetHistogram().GetBucket(); len(b) != 12 || b[0].GetUpperBound() != 0.005 {
		t.Errorf("sa_dispatch_seconds buckets changed: %d from %v", len(b), b[0].GetUpperBound())
	}
}

func TestHelpers(t *testing.T) {
	p, reg := newPipeline(t)
	p.Received("streamalert_app/duo", 3, 120)
	p.Received("streamalert_app/duo", 2, 80)
	p.ClassifiedRecord("osquery:differential", true)
	p.ClassifiedRecord("osquery:differential", false)
	p.Merged(2, 7)
	p.OnResult("slack:sec", dispatch.Delivered, 250*time.Millisecond)
	p.OnResult("slack:sec", dispatch.Deferred, 0)
	cases := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"sa_records_in_total", []string{"source=streamalert_app/duo"}, 5},
		{"sa_records_in_bytes_total", []string{"source=streamalert_app/duo"}, 200},
		{"sa_records_classified_total", []string{"log_type=osquery:differential"}, 2},
		{"sa_records_normalized_total", []string{"log_type=osquery:differential"}, 1},
		{"sa_merge_groups_total", nil, 2},
		{"sa_alerts_merged_total", nil, 7},
		{"sa_dispatch_results_total", []string{"output=slack:sec", "result=delivered"}, 1},
		{"sa_dispatch_results_total", []string{"output=slack:sec", "result=deferred"}, 1},
		// A deferred pair was not sent: only the delivery is timed.
		{"sa_dispatch_seconds", []string{"output=slack:sec"}, 1},
	}
	for _, tc := range cases {
		if got := value(t, reg, tc.name, tc.labels...); got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
}

// TestRegisterTwiceFails checks that a name clash is reported and leaves
// the registry as it was.
func TestRegisterTwiceFails(t *testing.T) {
	reg := prometheus.NewRegistry()
	// The last of the pipeline's names: the counters without labels
	// registered before it would be gathered if they stayed.
	taken := prometheus.NewCounter(prometheus.CounterOpts{Name: "sa_app_records_total", Help: "Someone else's."})
	reg.MustRegister(taken)
	_, err := metrics.NewPipeline(reg)
	if err == nil || !strings.Contains(err.Error(), "register sa_app_records_total") {
		t.Fatalf("NewPipeline over an existing sa_app_records_total: %v, want an error naming it", err)
	}
	if got := families(t, reg); len(got) != 1 || got["sa_app_records_total"].GetHelp() != "Someone else's." {
		t.Errorf("after the clash the registry holds %d families, want only the one there before", len(got))
	}
}
