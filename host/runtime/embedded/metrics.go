package embedded

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/streamalert-go/sa/host/pluginhost"
)

// metrics are the runtime's Prometheus metrics. The AWS runtime emits the
// same names in CloudWatch's embedded metric format.
type metrics struct {
	reg            *prometheus.Registry
	recordsIn      *prometheus.CounterVec
	ingestRejected *prometheus.CounterVec
	classified     *prometheus.CounterVec
	failed         *prometheus.CounterVec
	alerts         *prometheus.CounterVec
	dispatch       *prometheus.CounterVec
	dispatchTime   *prometheus.HistogramVec
	appPolls       *prometheus.CounterVec
	journalDepth   prometheus.GaugeFunc
}

// gauges are read when /metrics is scraped.
type gauges struct {
	journalDepth      func() float64
	pendingDeliveries func() float64
	plugins           func() []pluginhost.Status
}

func newMetrics(g gauges) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		recordsIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sa_records_in_total", Help: "Raw records accepted, by ingest source.",
		}, []string{"source"}),
		ingestRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sa_ingest_rejected_total", Help: "Ingest requests refused, by source and reason.",
		}, []string{"source", "reason"}),
		classified: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sa_records_classified_total", Help: "Records classified, by log type.",
		}, []string{"log_type"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sa_records_failed_total",
			Help: "Records not classified, kept in the dead letter store, by source and by the log type that rejected them (empty when no schema accepted the raw record).",
		}, []string{"source", "log_type"}),
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sa_alerts_total", Help: "Alerts created, by rule.",
		}, []string{"rule"}),
		dispatch: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sa_dispatch_results_total", Help: "Delivery attempts, by output and result.",
		}, []string{"output", "result"}),
		dispatchTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "sa_dispatch_seconds", Help: "Time of one delivery attempt, by output.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
		}, []string{"output"}),
	}
	m.appPolls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sa_app_polls_total", Help: "App polls, by app instance and result.",
	}, []string{"app", "result"})
	m.journalDepth = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "sa_journal_records", Help: "Records accepted and not yet processed.",
	}, g.journalDepth)
	pending := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "sa_deliveries_pending", Help: "Alert x output deliveries waiting to be sent.",
	}, g.pendingDeliveries)
	m.reg.MustRegister(m.recordsIn, m.ingestRejected, m.classified, m.failed, m.alerts, m.dispatch,
		m.dispatchTime, m.appPolls, m.journalDepth, pending, pluginCollector(g.plugins),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

var (
	restartsDesc = prometheus.NewDesc("sa_plugin_restarts", "Restarts of a plugin process since sa started.", []string{"plugin", "instance"}, nil)
	upDesc       = prometheus.NewDesc("sa_plugin_up", "1 when a plugin process is running, 0 when it is restarting or failed.", []string{"plugin", "instance", "state"}, nil)
)

// pluginCollector reports every supervised plugin at scrape time.
type pluginCollector func() []pluginhost.Status

func (pluginCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- restartsDesc
	ch <- upDesc
}

func (f pluginCollector) Collect(ch chan<- prometheus.Metric) {
	if f == nil {
		return
	}
	for _, st := range f() {
		ch <- prometheus.MustNewConstMetric(restartsDesc, prometheus.CounterValue, float64(st.Restarts), st.Address, st.Instance)
		up := 0.0
		if st.State == pluginhost.Running {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, up, st.Address, st.Instance, string(st.State))
	}
}
