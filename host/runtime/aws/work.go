package aws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/streamalert-go/sa/host/deadletter"
	"github.com/streamalert-go/sa/host/historical"
	"github.com/streamalert-go/sa/host/metrics"
)

// work is what one invocation hands on: messages for the rules queue and
// dead letter entries, each with the index of the event record it came
// from (-1 when the event is retried whole), and the event records that
// must be retried.
type work struct {
	msgs       []Message
	msgOrigin  []int
	dead       []deadletter.Entry
	deadOrigin []int
	failed     map[int]bool
}

func (w *work) addMessage(m Message, origin int) {
	w.msgs = append(w.msgs, m)
	w.msgOrigin = append(w.msgOrigin, origin)
}

func (w *work) addDead(e deadletter.Entry, origin int) {
	w.dead = append(w.dead, e)
	w.deadOrigin = append(w.deadOrigin, origin)
}

// flush sends the messages and the dead letter entries, marks the origins
// of whatever was not sent failed, and returns the first error.
func (h *ClassifierHandler) flush(ctx context.Context, w *work) error {
	items := make([][]byte, len(w.msgs))
	for i, m := range w.msgs {
		b, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("classifier: message: %w", err)
		}
		items[i] = b
	}
	bodies, oversize := pack(items, MaxMessageBytes)
	for _, i := range oversize {
		// StreamAlert dropped these; sa keeps them where a person looks.
		m := w.msgs[i]
		w.addDead(deadletter.Entry{
			Stage: deadletter.StageClassify, Service: m.Service, Resource: m.Resource, Cluster: m.Cluster,
			LogType: m.LogType, Raw: capRaw(m.Record), Size: len(m.Record),
			Reason: fmt.Sprintf("classified record is %d bytes as a message, over SQS's %d-byte limit", len(items[i]), MaxMessageBytes),
		}, w.msgOrigin[i])
	}
	failed, sendErr := sendBodies(ctx, h.o.SQS, h.o.Queue, bodies)
	if m := h.o.Metrics; m != nil {
		nFailed := 0
		for b := range failed {
			nFailed += len(bodies[b].items)
		}
		m.ClassifiedSent.WithLabelValues(metrics.ResultSent).Add(float64(len(w.msgs) - len(oversize) - nFailed))
		m.ClassifiedSent.WithLabelValues(metrics.ResultFailed).Add(float64(nFailed))
		m.ClassifiedSent.WithLabelValues(metrics.ResultOversize).Add(float64(len(oversize)))
	}
	for b := range failed {
		for _, i := range bodies[b].items {
			w.failed[w.msgOrigin[i]] = true
		}
	}
	if len(failed) > 0 {
		h.o.Log.Warn("classifier: classified records not sent; they will be retried", "messages", len(failed), "error", errText(sendErr))
		sendErr = fmt.Errorf("classifier: %d of %d messages not sent: %w", len(failed), len(bodies), orUnknown(sendErr))
	} else {
		sendErr = nil
	}
	if err := h.historical(ctx, w, bodies, failed); err != nil {
		sendErr = errors.Join(sendErr, err)
	}
	if len(w.dead) == 0 {
		return sendErr
	}
	now := h.o.Now().UTC()
	for i := range w.dead {
		w.dead[i].Time = now
	}
	if err := h.o.DeadLetter.Send(ctx, w.dead); err != nil {
		h.o.Log.Warn("classifier: dead letter entries not sent; their records will be retried", "entries", len(w.dead), "error", err.Error())
		for _, o := range w.deadOrigin {
			w.failed[o] = true
		}
		return errors.Join(sendErr, err)
	}
	return sendErr
}

// historical sends the messages SQS took to historical search, except
// those of event records that will be retried anyway, so a retry does not
// store them twice. The event records of messages Firehose did not take
// are marked failed, to be retried (their alerts have the same ids again);
// a record Firehose can never take becomes a dead letter entry.
func (h *ClassifierHandler) historical(ctx context.Context, w *work, bodies []body, failed map[int]bool) error {
	if h.o.Historical == nil {
		return nil
	}
	var recs []historical.Record
	var msg []int
	for b, bd := range bodies {
		for _, i := range bd.items {
			if !failed[b] && !w.failed[w.msgOrigin[i]] {
				recs = append(recs, historical.Record{LogType: w.msgs[i].LogType, Data: w.msgs[i].Record})
				msg = append(msg, i)
			}
		}
	}
	if len(recs) == 0 {
		return nil
	}
	res, err := h.o.Historical.Send(ctx, recs)
	for _, r := range res.Rejected {
		m := w.msgs[msg[r.Index]]
		w.addDead(deadletter.Entry{
			Stage: deadletter.StageClassify, Service: m.Service, Resource: m.Resource, Cluster: m.Cluster,
			LogType: m.LogType, Raw: capRaw(m.Record), Size: len(m.Record), Reason: r.Reason,
		}, w.msgOrigin[msg[r.Index]])
	}
	for _, j := range res.Failed {
		w.failed[w.msgOrigin[msg[j]]] = true
	}
	if err != nil || len(res.Failed) > 0 {
		h.o.Log.Warn("classifier: classified records not sent to historical search; they will be retried", "records", len(res.Failed), "error", errText(err))
		return fmt.Errorf("classifier: %d of %d records not sent to historical search: %w", len(res.Failed), len(recs), orUnknown(err))
	}
	return nil
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func orUnknown(err error) error {
	if err == nil {
		return errors.New("no reason given")
	}
	return err
}

// QueueDeadLetter sends dead letter entries to an SQS queue, packed as
// JSON arrays of entries in the dead letter store's form, for sa
// deadletter to read (or a person to inspect).
type QueueDeadLetter struct {
	SQS   SQSAPI
	Queue string
}

// Send implements DeadLetter.
func (q QueueDeadLetter) Send(ctx context.Context, entries []deadletter.Entry) error {
	items := make([][]byte, len(entries))
	for i, e := range entries {
		b, err := json.Marshal(e)
		for err == nil && len(b)+2 > MaxMessageBytes && len(e.Raw) > 0 {
			// Escaping can triple a raw record's size; keep less of it.
			e.Raw = e.Raw[:len(e.Raw)/2]
			b, err = json.Marshal(e)
		}
		if err != nil {
			return fmt.Errorf("dead letter: entry: %w", err)
		}
		items[i] = b
	}
	bodies, oversize := pack(items, MaxMessageBytes)
	if len(oversize) > 0 {
		return fmt.Errorf("dead letter: %d entries do not fit an SQS message", len(oversize))
	}
	failed, err := sendBodies(ctx, q.SQS, q.Queue, bodies)
	if len(failed) > 0 {
		return fmt.Errorf("dead letter: %d of %d messages not sent: %w", len(failed), len(bodies), orUnknown(err))
	}
	return nil
}

var _ DeadLetter = QueueDeadLetter{}
