package embedded

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	sametrics "github.com/streamalert-go/sa/host/metrics"
	"github.com/streamalert-go/sa/host/pluginhost"
)

// metrics are the runtime's Prometheus metrics: the pipeline's, defined
// in host/metrics and emitted under the same names by the AWS runtime,
// and those that only mean something in a long-running sa serve.
type metrics struct {
	*sametrics.Pipeline
	reg            *prometheus.Registry
	ingestRejected *prometheus.CounterVec
}

// gauges are read when /metrics is scraped.
type gauges struct {
	journalDepth      func() float64
	pendingDeliveries func() float64
	plugins           func() []pluginhost.Status
}

func newMetrics(g gauges) *metrics {
	reg := prometheus.NewRegistry()
	p, err := sametrics.NewPipeline(reg)
	if err != nil {
		panic(err) // a new registry has no names yet
	}
	m := &metrics{
		Pipeline: p,
		reg:      reg,
		ingestRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sa_ingest_rejected_total", Help: "Ingest requests refused, by source and reason.",
		}, []string{"source", "reason"}),
	}
	journalDepth := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "sa_journal_records", Help: "Records accepted and not yet processed.",
	}, g.journalDepth)
	pending := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "sa_deliveries_pending", Help: "Alert x output deliveries waiting to be sent.",
	}, g.pendingDeliveries)
	reg.MustRegister(m.ingestRejected, journalDepth, pending, pluginCollector(g.plugins),
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

// sizeOf is the bytes of records in all, for sa_records_in_bytes_total.
func sizeOf(records [][]byte) int {
	n := 0
	for _, r := range records {
		n += len(r)
	}
	return n
}
