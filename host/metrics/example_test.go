package metrics_test

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamalert-go/sa/host/dispatch"
	"github.com/streamalert-go/sa/host/metrics"
)

// A runtime registers the pipeline's metrics once and counts as records
// pass; the Pipeline is also the dispatcher's observer.
func ExampleNewPipeline() {
	reg := prometheus.NewRegistry()
	p, err := metrics.NewPipeline(reg)
	if err != nil {
		panic(err)
	}
	p.Received("kinesis/sa_sample", 2, 512)
	p.ClassifiedRecord("cloudtrail:events", true)
	p.ClassifiedSent.WithLabelValues(metrics.ResultSent).Inc()
	var observer dispatch.Observer = p
	observer.OnResult("slack:sec", dispatch.Delivered, 120*time.Millisecond)

	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if c := m.GetCounter(); c.GetValue() > 0 {
				fmt.Println(mf.GetName(), c.GetValue())
			}
		}
	}
	// Output:
	// sa_classified_sent_total 1
	// sa_dispatch_results_total 1
	// sa_records_classified_total 1
	// sa_records_in_bytes_total 512
	// sa_records_in_total 2
	// sa_records_normalized_total 1
}
