package emf_test

import (
	"fmt"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamalert-go/sa/host/metrics"
	"github.com/streamalert-go/sa/host/metrics/emf"
)

// A Lambda function builds the pipeline's metrics and a Writer once per
// sandbox, counts during each invocation, and flushes at its end: the
// lines go to stdout, where CloudWatch Logs extracts the metrics.
func Example() {
	reg := prometheus.NewRegistry()
	pipeline, err := metrics.NewPipeline(reg)
	if err != nil {
		panic(err)
	}
	w, err := emf.New(reg, os.Stdout, emf.Options{
		Dimensions: map[string]string{"function": "rules", "cluster": "prod"},
		Now:        func() time.Time { return time.UnixMilli(1700000000000) }, // for the example's output
	})
	if err != nil {
		panic(err)
	}

	// First invocation.
	pipeline.Alerts.WithLabelValues("root_activity").Add(2)
	if err := w.Flush(); err != nil {
		fmt.Println(err)
	}
	// Second invocation: only what changed since the first.
	pipeline.Alerts.WithLabelValues("root_activity").Inc()
	pipeline.AlertsStoreFailed.Inc()
	if err := w.Flush(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"sa","Dimensions":[["cluster","function","rule"]],"Metrics":[{"Name":"sa_alerts_total","Unit":"Count"}]}]},"cluster":"prod","function":"rules","rule":"root_activity","sa_alerts_total":2}
	// {"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"sa","Dimensions":[["cluster","function"]],"Metrics":[{"Name":"sa_alerts_store_failed_total","Unit":"Count"}]}]},"cluster":"prod","function":"rules","sa_alerts_store_failed_total":1}
	// {"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"sa","Dimensions":[["cluster","function","rule"]],"Metrics":[{"Name":"sa_alerts_total","Unit":"Count"}]}]},"cluster":"prod","function":"rules","rule":"root_activity","sa_alerts_total":1}
}

// Parse reads a line back, as a test of a Lambda handler's output would.
func ExampleParse() {
	line := `{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"sa","Dimensions":[["rule"]],"Metrics":[{"Name":"sa_alerts_total","Unit":"Count"}]}]},"rule":"root_activity","sa_alerts_total":2}`
	data, err := emf.Parse([]byte(line))
	if err != nil {
		panic(err)
	}
	for _, d := range data {
		fmt.Println(d.Namespace, d.Name, d.Dimensions, d.Values, d.Unit)
	}
	// Output:
	// sa sa_alerts_total map[rule:root_activity] [2] Count
}
