package embedded

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
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
	pluginRestarts *prometheus.GaugeVec
	appPolls       *prometheus.CounterVec
	journalDepth   prometheus.GaugeFunc
}

func newMetrics(journalDepth func() float64) *metrics {
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
			Name: "sa_records_failed_total", Help: "Records no schema accepted, kept in the dead letter store, by source.",
		}, []string{"source"}),
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
		pluginRestarts: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "sa_plugin_restarts", Help: "Restarts of each plugin process since sa started.",
		}, []string{"plugin"}),
	}
	m.appPolls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "sa_app_polls_total", Help: "App polls, by app instance and result.",
	}, []string{"app", "result"})
	m.journalDepth = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "sa_journal_records", Help: "Records accepted and not yet processed.",
	}, journalDepth)
	m.reg.MustRegister(m.recordsIn, m.ingestRejected, m.classified, m.failed, m.alerts, m.dispatch,
		m.dispatchTime, m.pluginRestarts, m.appPolls, m.journalDepth,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
