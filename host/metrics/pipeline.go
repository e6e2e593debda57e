package metrics

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamalert-go/sa/host/dispatch"
)

// Values of the result label.
const (
	// ResultSent: records handed on (sa_classified_sent_total,
	// sa_firehose_records_total).
	ResultSent = "sent"
	// ResultFailed: records not handed on, to be retried.
	ResultFailed = "failed"
	// ResultOversize: classified records too big for a rules queue
	// message, kept in the dead letter queue instead.
	ResultOversize = "oversize"
	// ResultOK and ResultError end an app poll (sa_app_polls_total).
	ResultOK    = "ok"
	ResultError = "error"
)

// Pipeline holds the collectors of the pipeline's stages, in the order a
// record meets them. They are safe for concurrent use. The label names of
// each are in its comment, in WithLabelValues order.
type Pipeline struct {
	// RecordsIn counts raw records accepted, by source: an ingest
	// source's name in sa serve, "<service>/<resource>" on AWS
	// ("kinesis/<stream>", "s3/<bucket>"), "streamalert_app/<app>" for
	// apps in both. Labels: source.
	RecordsIn *prometheus.CounterVec
	// RecordsInBytes counts the bytes of those records. Labels: source.
	RecordsInBytes *prometheus.CounterVec
	// S3Download times the download of each S3 object the classifier
	// reads. Labels: bucket.
	S3Download *prometheus.HistogramVec
	// Classified counts records classified. Labels: log_type.
	Classified *prometheus.CounterVec
	// Normalized counts classified records that carry normalized values.
	// Labels: log_type.
	Normalized *prometheus.CounterVec
	// Failed counts records not classified, kept as dead letters. Labels:
	// source, log_type (empty when no schema accepted the raw record).
	Failed *prometheus.CounterVec
	// ClassifiedSent counts classified records handed to the rules
	// queue. Labels: result (ResultSent, ResultFailed, ResultOversize).
	ClassifiedSent *prometheus.CounterVec
	// FirehoseRecords counts records put to Firehose delivery streams for
	// historical search, artifacts included. Labels: stream, result
	// (ResultSent, ResultFailed).
	FirehoseRecords *prometheus.CounterVec
	// ArtifactsExtracted counts artifacts extracted from normalized
	// records. Labels: log_type.
	ArtifactsExtracted *prometheus.CounterVec
	// Alerts counts alerts created. Labels: rule.
	Alerts *prometheus.CounterVec
	// AlertsStoreFailed counts alerts the alert store did not accept;
	// their records are retried.
	AlertsStoreFailed prometheus.Counter
	// AlertsMerged counts alerts replaced by merged alerts; MergeGroups
	// counts the merged alerts that replaced them.
	AlertsMerged prometheus.Counter
	MergeGroups  prometheus.Counter
	// Dispatch counts delivery attempts. Labels: output, result (a
	// dispatch.Status).
	Dispatch *prometheus.CounterVec
	// DispatchTime times delivery attempts that reached the output.
	// Labels: output.
	DispatchTime *prometheus.HistogramVec
	// AppPolls counts app polls. Labels: app, result (ResultOK,
	// ResultError).
	AppPolls *prometheus.CounterVec
	// AppRecords counts logs gathered by apps. Labels: app.
	AppRecords *prometheus.CounterVec
}

// NewPipeline makes the pipeline's collectors and registers them on reg.
// It fails when one of the names is registered already.
func NewPipeline(reg prometheus.Registerer) (*Pipeline, error) {
	p := &Pipeline{
		RecordsIn: counter("sa_records_in_total", "Raw records accepted, by ingest source.", "source"),
		RecordsInBytes: counter("sa_records_in_bytes_total",
			"Bytes of the raw records accepted, by ingest source.", "source"),
		S3Download: histogram("sa_s3_download_seconds", "Time to download one S3 object the classifier reads, by bucket.",
			prometheus.ExponentialBuckets(0.01, 2, 14), "bucket"),
		Classified: counter("sa_records_classified_total", "Records classified, by log type.", "log_type"),
		Normalized: counter("sa_records_normalized_total",
			"Classified records carrying normalized values, by log type.", "log_type"),
		Failed: counter("sa_records_failed_total",
			"Records not classified, kept in the dead letter store, by source and by the log type that rejected them (empty when no schema accepted the raw record).",
			"source", "log_type"),
		ClassifiedSent: counter("sa_classified_sent_total",
			"Classified records handed to the rules queue, by result (sent, failed: retried, oversize: kept as dead letters).", "result"),
		FirehoseRecords: counter("sa_firehose_records_total",
			"Records put to Firehose delivery streams for historical search, by stream and result (sent, failed).", "stream", "result"),
		ArtifactsExtracted: counter("sa_artifacts_extracted_total",
			"Artifacts extracted from normalized records, by log type.", "log_type"),
		Alerts: counter("sa_alerts_total", "Alerts created, by rule.", "rule"),
		AlertsStoreFailed: prometheus.NewCounter(prometheus.CounterOpts{Name: "sa_alerts_store_failed_total",
			Help: "Alerts the alert store did not accept; their records are retried."}),
		AlertsMerged: prometheus.NewCounter(prometheus.CounterOpts{Name: "sa_alerts_merged_total",
			Help: "Alerts replaced by merged alerts."}),
		MergeGroups: prometheus.NewCounter(prometheus.CounterOpts{Name: "sa_merge_groups_total",
			Help: "Merged alerts created, each replacing a group of alerts."}),
		Dispatch: counter("sa_dispatch_results_total", "Delivery attempts, by output and result.", "output", "result"),
		DispatchTime: histogram("sa_dispatch_seconds", "Time of one delivery attempt, by output.",
			prometheus.ExponentialBuckets(0.005, 2, 12), "output"),
		AppPolls:   counter("sa_app_polls_total", "App polls, by app instance and result.", "app", "result"),
		AppRecords: counter("sa_app_records_total", "Logs gathered by apps, by app instance.", "app"),
	}
	cs := p.collectors()
	for i, c := range cs {
		if err := reg.Register(c.Collector); err != nil {
			for _, done := range cs[:i] {
				reg.Unregister(done.Collector) // leave reg as it was
			}
			return nil, fmt.Errorf("metrics: register %s: %w", c.name, err)
		}
	}
	return p, nil
}

// named is a collector with the name of its metric, for errors.
type named struct {
	name string
	prometheus.Collector
}

func (p *Pipeline) collectors() []named {
	return []named{
		{"sa_records_in_total", p.RecordsIn}, {"sa_records_in_bytes_total", p.RecordsInBytes},
		{"sa_s3_download_seconds", p.S3Download}, {"sa_records_classified_total", p.Classified},
		{"sa_records_normalized_total", p.Normalized}, {"sa_records_failed_total", p.Failed},
		{"sa_classified_sent_total", p.ClassifiedSent}, {"sa_firehose_records_total", p.FirehoseRecords},
		{"sa_artifacts_extracted_total", p.ArtifactsExtracted}, {"sa_alerts_total", p.Alerts},
		{"sa_alerts_store_failed_total", p.AlertsStoreFailed}, {"sa_alerts_merged_total", p.AlertsMerged},
		{"sa_merge_groups_total", p.MergeGroups}, {"sa_dispatch_results_total", p.Dispatch},
		{"sa_dispatch_seconds", p.DispatchTime}, {"sa_app_polls_total", p.AppPolls},
		{"sa_app_records_total", p.AppRecords},
	}
}

func counter(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
}

func histogram(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
}

// Received counts n raw records of size bytes in all accepted from
// source.
func (p *Pipeline) Received(source string, n, size int) {
	p.RecordsIn.WithLabelValues(source).Add(float64(n))
	p.RecordsInBytes.WithLabelValues(source).Add(float64(size))
}

// ClassifiedRecord counts one classified record of logType, and whether
// it carries normalized values.
func (p *Pipeline) ClassifiedRecord(logType string, normalized bool) {
	p.Classified.WithLabelValues(logType).Inc()
	if normalized {
		p.Normalized.WithLabelValues(logType).Inc()
	}
}

// Merged counts one merge pass: groups merged alerts replacing replaced
// alerts (merge.TickResult's Groups and Replaced).
func (p *Pipeline) Merged(groups, replaced int) {
	p.MergeGroups.Add(float64(groups))
	p.AlertsMerged.Add(float64(replaced))
}

// OnResult counts a delivery attempt; it makes a Pipeline the
// dispatcher's observer. Deferred pairs were not sent, so they are
// counted but not timed.
func (p *Pipeline) OnResult(output string, status dispatch.Status, latency time.Duration) {
	p.Dispatch.WithLabelValues(output, string(status)).Inc()
	if status != dispatch.Deferred {
		p.DispatchTime.WithLabelValues(output).Observe(latency.Seconds())
	}
}

var _ dispatch.Observer = (*Pipeline)(nil)
