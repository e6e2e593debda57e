package historical

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/firehose"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/metrics"
)

// API is the part of the Firehose client the sender calls;
// *firehose.Client implements it.
type API interface {
	PutRecordBatch(ctx context.Context, in *firehose.PutRecordBatchInput, opts ...func(*firehose.Options)) (*firehose.PutRecordBatchOutput, error)
}

// Firehose's limits, as sa applies them: records and bytes per
// PutRecordBatch call (Firehose takes 4 MiB; the margin is StreamAlert's),
// and the largest record, newline included.
const (
	MaxBatchRecords = 500
	MaxBatchBytes   = 4_000_000
	MaxRecordBytes  = 1000 << 10
)

// The defaults of Options.
const (
	DefaultTries     = 10
	DefaultFirstWait = 200 * time.Millisecond
	DefaultMaxWait   = 8 * time.Second
	DefaultReserve   = time.Second
)

// Options tune a Sender's retries; zero values take the defaults.
type Options struct {
	// Tries bounds the attempts at each record (DefaultTries).
	Tries int
	// FirstWait is the wait before the second attempt (DefaultFirstWait);
	// each wait after doubles, up to MaxWait (DefaultMaxWait), with
	// jitter.
	FirstWait, MaxWait time.Duration
	// Reserve is time left to the caller: a wait that would end later
	// than Reserve before the context's deadline is not started, and the
	// records still failing are reported at once (DefaultReserve).
	Reserve time.Duration
	// Sleep waits d or until ctx ends; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Metrics, when set, counts the records each stream took and those
	// it did not (sa_firehose_records_total).
	Metrics *metrics.Pipeline
}

// Record is one classified record: its log type and its JSON object as
// the classifier wrote it.
type Record struct {
	LogType string
	Data    json.RawMessage
}

// Rejected is a record Firehose can never take, with the reason.
type Rejected struct {
	// Index is the record's position in what was sent.
	Index  int
	Reason string
}

// Result says what became of the records that were to be sent, by their
// positions in the input. Records not listed were delivered, or belong
// to log types that are not enabled.
type Result struct {
	// Failed were not delivered after every try; sending them again later
	// may succeed.
	Failed []int
	// Rejected can never be delivered; they belong in the dead letter
	// queue.
	Rejected []Rejected
}

// Sender puts classified records on the delivery streams of their log
// types, and alerts on the alerts stream.
type Sender struct {
	api       API
	conf      *config.Config
	prefix    string
	usePrefix bool
	o         Options
}

// New returns a sender for the streams conf enables.
func New(api API, conf *config.Config, o Options) *Sender {
	if o.Tries <= 0 {
		o.Tries = DefaultTries
	}
	if o.FirstWait <= 0 {
		o.FirstWait = DefaultFirstWait
	}
	if o.MaxWait <= 0 {
		o.MaxWait = DefaultMaxWait
	}
	if o.Reserve <= 0 {
		o.Reserve = DefaultReserve
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	fh := conf.Global.Infrastructure.Firehose
	return &Sender{api: api, conf: conf, prefix: conf.Global.Account.Prefix, usePrefix: fh.UsePrefix, o: o}
}

// Send puts the records of enabled log types on their streams: grouped by
// log type, keys sanitized, one compact JSON line each. A record over
// MaxRecordBytes is rejected, not sent. Records Firehose refuses are tried
// again, alone, with backoff; those still refused are returned in Failed,
// and the error names each stream and how many of its records failed.
func (s *Sender) Send(ctx context.Context, recs []Record) (Result, error) {
	var res Result
	groups := map[string]*group{}
	var order []string
	for i, r := range recs {
		if !Enabled(s.conf, r.LogType) {
			continue
		}
		line, err := AppendRecord(make([]byte, 0, len(r.Data)+1), r.Data)
		if err != nil {
			res.Rejected = append(res.Rejected, Rejected{Index: i, Reason: "historical: " + r.LogType + ": " + err.Error()})
			continue
		}
		g := groups[r.LogType]
		if g == nil {
			g = &group{stream: StreamName(s.prefix, s.usePrefix, r.LogType)}
			groups[r.LogType] = g
			order = append(order, r.LogType)
		}
		if reason, ok := g.add(append(line, '\n'), i); !ok {
			res.Rejected = append(res.Rejected, Rejected{Index: i, Reason: reason})
		}
	}
	gs := make([]*group, len(order))
	for i, t := range order {
		gs[i] = groups[t]
	}
	return s.deliver(ctx, gs, res)
}

// SendAlerts puts alerts on the alerts stream, each as its JSON payload
// form (alert.Alert.Payload, what outputs receive) on one line, when the
// conf enables historical search; it sends nothing otherwise.
func (s *Sender) SendAlerts(ctx context.Context, alerts []*alert.Alert) (Result, error) {
	var res Result
	if !s.conf.Global.Infrastructure.Firehose.Enabled {
		return res, nil
	}
	g := &group{stream: StreamName(s.prefix, s.usePrefix, AlertsLogType)}
	for i, a := range alerts {
		b, err := a.Payload()
		if err != nil {
			res.Rejected = append(res.Rejected, Rejected{Index: i, Reason: "historical: " + err.Error()})
			continue
		}
		if reason, ok := g.add(append(b, '\n'), i); !ok {
			res.Rejected = append(res.Rejected, Rejected{Index: i, Reason: reason})
		}
	}
	return s.deliver(ctx, []*group{g}, res)
}

// group is the lines bound for one stream, with their input positions.
type group struct {
	stream string
	lines  [][]byte
	index  []int
}

// add queues a line, or says why it cannot be sent.
func (g *group) add(line []byte, i int) (string, bool) {
	if len(line) > MaxRecordBytes {
		return fmt.Sprintf("historical: record is %d bytes as a Firehose record for stream %s, over Firehose's limit of %d bytes",
			len(line), g.stream, MaxRecordBytes), false
	}
	g.lines = append(g.lines, line)
	g.index = append(g.index, i)
	return "", true
}

// deliver sends every group, each stream at the same time as the others,
// and adds what failed to res.
func (s *Sender) deliver(ctx context.Context, gs []*group, res Result) (Result, error) {
	failed := make([][]int, len(gs))
	errs := make([]error, len(gs))
	var wg sync.WaitGroup
	for i, g := range gs {
		if len(g.lines) == 0 {
			continue
		}
		wg.Go(func() { failed[i], errs[i] = s.put(ctx, g.stream, g.lines) })
	}
	wg.Wait()
	for i, g := range gs {
		for _, j := range failed[i] {
			res.Failed = append(res.Failed, g.index[j])
		}
		if m := s.o.Metrics; m != nil && len(g.lines) > 0 {
			m.FirehoseRecords.WithLabelValues(g.stream, metrics.ResultSent).Add(float64(len(g.lines) - len(failed[i])))
			if len(failed[i]) > 0 {
				m.FirehoseRecords.WithLabelValues(g.stream, metrics.ResultFailed).Add(float64(len(failed[i])))
			}
		}
	}
	slices.Sort(res.Failed)
	return res, errors.Join(errs...)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
