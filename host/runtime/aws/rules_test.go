package aws

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamalert-go/sa/host/metrics"
	"github.com/streamalert-go/sa/host/store"
)

// TestRulesToDynamoDB: classified records from SQS raise the sample
// rules' alerts in the DynamoDB store; the same records delivered again,
// in the same message or in new ones after the classifier retried, raise
// no second alert; a malformed message alone is reported failed.
func TestRulesToDynamoDB(t *testing.T) {
	ctx := context.Background()
	dep := newDeployment(t)
	st := newStore(t)
	q := newFakeSQS(t, "classified", "deadletter")
	c := newClassifierHandler(t, dep, q)
	engine, err := dep.Rules(quiet)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m, err := metrics.NewPipeline(reg)
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewRules(RulesOptions{Rules: engine, Store: st, Metrics: m, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ev := kinesisEvent("sa_sample", sampleLines(t, dep)...)
	classified := func() events.SQSEvent {
		if _, err := c.Kinesis(ctx, ev); err != nil {
			t.Fatal(err)
		}
		return q.take("classified")
	}
	count := func() []string {
		list, err := st.List(ctx, store.ListRequest{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, a := range list.Alerts {
			ids = append(ids, a.ID)
			if a.RuleName != "cloudtrail_root_activity" && a.RuleName != "cloudtrail_logging_stopped" || a.SourceEntity != "sa_sample" || a.LogSource != "cloudtrail:events" {
				t.Errorf("alert %s of %s from %s/%s", a.ID, a.RuleName, a.SourceService, a.SourceEntity)
			}
		}
		return ids
	}

	sqsEv := classified()
	bad := events.SQSMessage{MessageId: "bad-1", Body: "not json", EventSource: "aws:sqs"}
	sqsEv.Records = append(sqsEv.Records, bad)
	resp, err := h.Handle(ctx, sqsEv)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "bad-1" {
		t.Errorf("failures %v, want only bad-1", resp.BatchItemFailures)
	}
	first := count()
	if len(first) == 0 {
		t.Fatal("no alerts stored")
	}
	if counted := counterTotal(t, reg, "sa_alerts_total"); int(counted) != len(first) {
		t.Errorf("sa_alerts_total counts %v alerts, %d stored", counted, len(first))
	}

	for _, again := range []events.SQSEvent{sqsEv, classified()} {
		if _, err := h.Handle(ctx, again); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(count()); n != len(first) {
		t.Errorf("%d alerts after redelivery, want %d", n, len(first))
	}
}

// counterTotal sums a counter family's series.
func counterTotal(t *testing.T, g prometheus.Gatherer, name string) float64 {
	t.Helper()
	families, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var total float64
	for _, f := range families {
		if f.GetName() == name {
			for _, m := range f.GetMetric() {
				total += m.GetCounter().GetValue()
			}
		}
	}
	return total
}
