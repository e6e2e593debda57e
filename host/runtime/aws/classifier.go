package aws

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/deadletter"
	"github.com/streamalert-go/sa/host/historical"
	"github.com/streamalert-go/sa/host/metrics"
	"github.com/streamalert-go/sa/host/payload"
	"github.com/streamalert-go/sa/host/pluginhost"
)

// Classifier classifies a batch of raw records from one source;
// *classify.Classifier is one.
type Classifier interface {
	Classify(ctx context.Context, src classify.Source, records [][]byte) ([]classify.Result, error)
}

// DeadLetter keeps what could not be decoded or classified, with the
// reasons; QueueDeadLetter sends it to an SQS queue.
type DeadLetter interface {
	Send(ctx context.Context, entries []deadletter.Entry) error
}

// Historical keeps classified records for historical search;
// *historical.Sender is one. It sends only the records of the log types
// the deployment enables, and answers for each record that was not
// delivered (Failed) or never can be (Rejected), by position.
type Historical interface {
	Send(ctx context.Context, records []historical.Record) (historical.Result, error)
}

// ClassifierOptions build a ClassifierHandler; all but Historical,
// Fetcher, Metrics, Limits, Now and Log are required.
type ClassifierOptions struct {
	Classifier Classifier
	// SQS and Queue are where classified records go: the rules
	// function's queue URL.
	SQS   SQSAPI
	Queue string
	// DeadLetter receives records no schema took and parts of events that
	// could not be decoded.
	DeadLetter DeadLetter
	// Historical, when set, receives the classified records SQS took, for
	// the Firehose streams of historical search.
	Historical Historical
	// Fetcher reads the objects S3 notifications name; without one such
	// an event fails.
	Fetcher payload.ObjectFetcher
	// Metrics, when set, counts records in, classified, failed and sent.
	Metrics *metrics.Pipeline
	Limits  payload.Limits
	Now     func() time.Time
	Log     *slog.Logger
}

// ClassifierHandler is the classifier function: events from Kinesis, S3,
// SNS and apps in, classified records onto SQS.
type ClassifierHandler struct {
	o ClassifierOptions
}

// NewClassifier returns the classifier function's handler.
func NewClassifier(o ClassifierOptions) (*ClassifierHandler, error) {
	if o.Classifier == nil || o.SQS == nil || o.Queue == "" || o.DeadLetter == nil {
		return nil, errors.New("classifier: Classifier, SQS, Queue and DeadLetter are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &ClassifierHandler{o: o}, nil
}

// Invoke handles any event the classifier receives: a Kinesis batch is
// answered with its partial batch failures, anything else (S3
// notifications, SNS, app batches) succeeds whole or fails whole, as
// Lambda retries asynchronous events whole.
func (h *ClassifierHandler) Invoke(ctx context.Context, event json.RawMessage) (any, error) {
	if isKinesis(event) {
		var ev events.KinesisEvent
		if err := json.Unmarshal(event, &ev); err != nil {
			return nil, fmt.Errorf("classifier: kinesis event: %w", err)
		}
		return h.Kinesis(ctx, ev)
	}
	return nil, h.Event(ctx, event)
}

// isKinesis reports whether the event is a Kinesis batch.
func isKinesis(event []byte) bool {
	var probe struct {
		Records []struct {
			EventSource string `json:"eventSource"`
		} `json:"Records"`
	}
	return json.Unmarshal(event, &probe) == nil && len(probe.Records) > 0 && probe.Records[0].EventSource == "aws:kinesis"
}

// Kinesis classifies a Kinesis batch and reports the records whose
// classified records or dead letter entries could not all be sent, so
// that Lambda retries from the first of them.
func (h *ClassifierHandler) Kinesis(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
	w := &work{failed: map[int]bool{}}
	recs := ev.Records
	for start := 0; start < len(recs); {
		stream := lastPart(recs[start].EventSourceArn)
		end := start + 1
		for end < len(recs) && lastPart(recs[end].EventSourceArn) == stream {
			end++
		}
		h.kinesisRun(ctx, recs[start:end], start, payload.Source{Service: payload.ServiceKinesis, Resource: stream}, w)
		start = end
	}
	h.flush(ctx, w)
	var resp events.KinesisEventResponse
	for i, r := range recs {
		if w.failed[i] {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.KinesisBatchItemFailure{ItemIdentifier: r.Kinesis.SequenceNumber})
		}
	}
	return resp, nil
}

// kinesisRun decodes and classifies consecutive records of one stream;
// first is the index of recs[0] in the event.
func (h *ClassifierHandler) kinesisRun(ctx context.Context, recs []events.KinesisEventRecord, first int, src payload.Source, w *work) {
	var in input
	size := 0
	for _, r := range recs {
		size += len(r.Kinesis.Data)
	}
	h.received(src, len(recs), size)
	for i, r := range recs {
		data, err := payload.KinesisData(base64.StdEncoding.EncodeToString(r.Kinesis.Data), h.o.Limits)
		if err != nil {
			w.addDead(deadletter.FromPayload(src, decodeFailure(r.Kinesis.Data, err.Error())), first+i)
			h.failed(src.Service+"/"+src.Resource, "")
			continue
		}
		in.add(data, r.EventID, r.Kinesis.ApproximateArrivalTimestamp.UTC(), first+i)
	}
	if err := h.classify(ctx, src, in, w); err != nil {
		h.o.Log.Warn("classifier: records will be retried", "source", src.Service+"/"+src.Resource, "records", len(recs), "error", err.Error())
		for _, o := range in.origins {
			w.failed[o] = true
		}
	}
}

// Event classifies an event of S3 notifications, SNS messages or app
// batches, decoded by package payload. Any record that cannot be handed
// on fails the invocation, to be retried whole: its records keep their
// keys (the request id, which Lambda keeps across retries of an event),
// so the alerts of records sent before are not raised twice.
func (h *ClassifierHandler) Event(ctx context.Context, event []byte) error {
	prefix := eventKey(ctx, event)
	n := 0
	emit := func(b payload.Batch) error {
		w := &work{failed: map[int]bool{}}
		size := 0
		for _, r := range b.Records {
			size += len(r)
		}
		h.received(b.Source, len(b.Records)+len(b.Failures), size)
		for _, f := range b.Failures {
			w.addDead(deadletter.FromPayload(b.Source, f), -1)
			h.failed(b.Source.Service+"/"+b.Source.Resource, "")
		}
		var in input
		now := h.o.Now().UTC()
		for i, r := range b.Records {
			in.add(r, fmt.Sprintf("%s/%d/%d", prefix, n, i), now, -1)
		}
		n++
		if err := h.classify(ctx, b.Source, in, w); err != nil {
			return err
		}
		if err := h.flush(ctx, w); err != nil {
			return err
		}
		return nil
	}
	if err := payload.Lambda(ctx, event, h.o.Fetcher, h.o.Limits, emit); err != nil {
		return fmt.Errorf("classifier: %w", err)
	}
	return nil
}

// eventKey names an event for the keys of its records: the invocation's
// request id, or the event's digest outside Lambda.
func eventKey(ctx context.Context, event []byte) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		return "req:" + lc.AwsRequestID
	}
	sum := sha256.Sum256(event)
	return "event:" + hex.EncodeToString(sum[:16])
}

// input is raw records of one source with where each came from.
type input struct {
	raws     [][]byte
	keys     []string
	received []time.Time
	origins  []int
}

func (in *input) add(raw []byte, key string, received time.Time, origin int) {
	in.raws = append(in.raws, raw)
	in.keys = append(in.keys, key)
	in.received = append(in.received, received)
	in.origins = append(in.origins, origin)
}

// classify classifies in and adds its messages and failures to w. An
// error means the records cannot be classified now (see
// classify.Classifier.Classify); a parser that cannot run until a person
// acts sends them to the dead letter queue instead, as the embedded
// pipeline does.
func (h *ClassifierHandler) classify(ctx context.Context, ps payload.Source, in input, w *work) error {
	if len(in.raws) == 0 {
		return nil
	}
	src := classify.Source{Service: ps.Service, Resource: ps.Resource}
	results, err := h.o.Classifier.Classify(ctx, src, in.raws)
	switch {
	case err != nil && (ctx.Err() != nil || pluginhost.Transient(err)):
		return err
	case err != nil:
		h.o.Log.Error("classifier: records cannot be classified; sent to the dead letter queue", "source", src.String(), "error", err.Error())
		for i, raw := range in.raws {
			f := &classify.Failure{Source: src, Raw: capRaw(raw), Size: len(raw), Attempts: []classify.Attempt{{Reason: "classify: " + err.Error()}}}
			w.addDead(deadletter.FromClassify(f), in.origins[i])
			h.failed(src.String(), "")
		}
		return nil
	}
	for i, res := range results {
		for j := range res.Records {
			rec := &res.Records[j]
			if h.o.Metrics != nil {
				h.o.Metrics.ClassifiedRecord(string(rec.LogType), len(rec.Normalized) > 0)
			}
			w.addMessage(messageOf(rec, in.keys[i]+"/"+strconv.Itoa(rec.Index), in.received[i]), in.origins[i])
		}
		if res.Failure != nil {
			w.addDead(deadletter.FromClassify(res.Failure), in.origins[i])
			h.failed(src.String(), string(res.Failure.LogType))
		}
	}
	return nil
}

// received counts raw records in, as "<service>/<resource>".
func (h *ClassifierHandler) received(src payload.Source, n, size int) {
	if h.o.Metrics != nil {
		h.o.Metrics.Received(src.Service+"/"+src.Resource, n, size)
	}
}

// failed counts a record kept as a dead letter.
func (h *ClassifierHandler) failed(source, logType string) {
	if h.o.Metrics != nil {
		h.o.Metrics.Failed.WithLabelValues(source, logType).Inc()
	}
}

// maxDeadRaw bounds the raw bytes a dead letter entry keeps, so an entry
// fits an SQS message.
const maxDeadRaw = 64 << 10

func capRaw(raw []byte) []byte {
	return append([]byte(nil), raw[:min(len(raw), maxDeadRaw)]...)
}

func decodeFailure(raw []byte, reason string) payload.Failure {
	return payload.Failure{Raw: capRaw(raw), Size: len(raw), Reason: reason}
}

// lastPart is the stream name at the end of a Kinesis ARN.
func lastPart(arn string) string {
	return arn[strings.LastIndex(arn, "/")+1:]
}
