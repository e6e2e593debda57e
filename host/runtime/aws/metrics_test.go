package aws

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/metrics"
)

// TestClassifierMetrics: a Kinesis batch counts its records in, those
// classified, the one no schema took, and the records sent to the rules
// queue, under the names sa serve gives them.
func TestClassifierMetrics(t *testing.T) {
	ctx := context.Background()
	dep := newDeployment(t)
	q := newFakeSQS(t, "classified", "deadletter")
	reg := prometheus.NewRegistry()
	m, err := metrics.NewPipeline(reg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := classify.New(dep.Conf, classify.Options{Parsers: classify.Builtin(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewClassifier(ClassifierOptions{
		Classifier: c, SQS: q.client(), Queue: q.url("classified"),
		DeadLetter: QueueDeadLetter{SQS: q.client(), Queue: q.url("deadletter")}, Metrics: m, Log: quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	lines := append(sampleLines(t, dep), []byte(`{"not": "cloudtrail"}`))
	if _, err := h.Kinesis(ctx, kinesisEvent("sa_sample", lines...)); err != nil {
		t.Fatal(err)
	}
	classified := len(messagesIn(t, q.take("classified")))
	dead := len(deadIn(t, q.take("deadletter")))
	if classified == 0 || dead != 1 {
		t.Fatalf("%d classified, %d dead letters; want some and 1", classified, dead)
	}
	for name, want := range map[string]int{
		"sa_records_in_total":         len(lines),
		"sa_records_classified_total": classified,
		"sa_records_failed_total":     dead,
		"sa_classified_sent_total":    classified,
	} {
		if got := counterTotal(t, reg, name); int(got) != want {
			t.Errorf("%s = %v, want %d", name, got, want)
		}
	}
}
