package aws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/historical"
	"github.com/streamalert-go/sa/host/metrics"
	"github.com/streamalert-go/sa/host/rules"
)

// Evaluator runs rules on a record; *rules.Engine is one.
type Evaluator interface {
	Evaluate(ctx context.Context, rec rules.Record) ([]rules.Match, error)
}

// AlertWriter stores alerts, skipping ids stored already; store.Writer
// is one.
type AlertWriter interface {
	Insert(ctx context.Context, alerts ...*alert.Alert) error
}

// AlertHistory keeps alerts for historical search; *historical.Sender is
// one.
type AlertHistory interface {
	SendAlerts(ctx context.Context, alerts []*alert.Alert) (historical.Result, error)
}

// RulesOptions build a RulesHandler; Rules and Store are required.
type RulesOptions struct {
	Rules Evaluator
	Store AlertWriter
	// Detection, when set, is the one whose Options built Rules: its
	// rule error reports are raised and its staged alerts counted at the
	// end of each invocation.
	Detection *Detection
	// History, when set, keeps every alert stored for historical
	// search (the alerts Firehose stream).
	History AlertHistory
	// Metrics, when set, counts the alerts made and those the store
	// refused.
	Metrics *metrics.Pipeline
	Log     *slog.Logger
}

// RulesHandler is the rules function: classified records from SQS in,
// alerts into the alert store.
type RulesHandler struct {
	rules Evaluator
	store AlertWriter
	det   *Detection
	hist  AlertHistory
	m     *metrics.Pipeline
	log   *slog.Logger
}

// NewRules returns the rules function's handler.
func NewRules(o RulesOptions) (*RulesHandler, error) {
	if o.Rules == nil || o.Store == nil {
		return nil, errors.New("rules: an evaluator and an alert store are required")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &RulesHandler{rules: o.Rules, store: o.Store, det: o.Detection, hist: o.History, m: o.Metrics, log: o.Log}, nil
}

// Handle evaluates every record of every message and stores the alerts,
// one message at a time; messages that failed are reported so that only
// they return to the queue. A message that is not a JSON array of
// Messages fails every time, and ends in the queue's redrive dead letter
// queue after its receive count runs out.
func (h *RulesHandler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, m := range ev.Records {
		if err := h.message(ctx, m); err != nil {
			h.log.Warn("rules: message will be retried", "message", m.MessageId, "error", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	if h.det != nil {
		h.det.finish(ctx, h.store)
	}
	return resp, nil
}

func (h *RulesHandler) message(ctx context.Context, m events.SQSMessage) error {
	var msgs []Message
	if err := json.Unmarshal([]byte(m.Body), &msgs); err != nil {
		return fmt.Errorf("body is not a list of classified records: %w", err)
	}
	var alerts []*alert.Alert
	for i := range msgs {
		made, err := h.alertsFor(ctx, m.MessageId, i, &msgs[i])
		if err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
		alerts = append(alerts, made...)
	}
	if len(alerts) == 0 {
		return nil
	}
	if err := h.store.Insert(ctx, alerts...); err != nil {
		if h.m != nil {
			h.m.AlertsStoreFailed.Add(float64(len(alerts)))
		}
		return fmt.Errorf("store alerts: %w", err)
	}
	if h.m != nil {
		for _, a := range alerts {
			h.m.Alerts.WithLabelValues(a.RuleName).Inc()
		}
	}
	if h.det != nil {
		h.det.stored(alerts)
	}
	if h.hist != nil {
		// The message is retried when the alerts are not kept: the store
		// skips them the second time, history may hold them twice.
		res, err := h.hist.SendAlerts(ctx, alerts)
		for _, r := range res.Rejected {
			h.log.Error("alert not kept for historical search", "alert", alerts[r.Index].ID, "reason", r.Reason)
		}
		if err != nil {
			return fmt.Errorf("historical search: %w", err)
		}
	}
	return nil
}

// alertsFor evaluates the rules on one record and builds its alerts. Ids
// derive from the record's key and the rule; a record without a key
// (sent by something other than sa's classifier) uses the SQS message id
// and its index in the message, which SQS keeps across redeliveries.
func (h *RulesHandler) alertsFor(ctx context.Context, msgID string, i int, m *Message) ([]*alert.Alert, error) {
	matches, err := h.rules.Evaluate(ctx, rules.Record{
		LogType: m.LogType, Parser: m.Parser, Service: m.Service, Source: m.Resource, Cluster: m.Cluster, Raw: m.Record,
	})
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	key, received := m.Key, m.Received
	if key == "" {
		key = fmt.Sprintf("sqs:%s/%d", msgID, i)
	}
	if received.IsZero() {
		received = time.Now()
	}
	out := make([]*alert.Alert, 0, len(matches))
	for _, mt := range matches {
		p := mt.AlertParams()
		p.ID, p.Created = alert.DerivedID(received, key+"/"+mt.Rule.Name), received
		if len(p.Record) == 0 {
			p.Record = m.Record
		}
		a, err := alert.New(p)
		if err != nil {
			return nil, fmt.Errorf("rule %s: alert: %w", mt.Rule.Name, err)
		}
		out = append(out, a)
	}
	return out, nil
}

var _ Evaluator = (*rules.Engine)(nil)
