package historical

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/internal/awsfake"
)

const (
	cloudtrailStream = "acme_streamalert_cloudtrail_events"
	osqueryStream    = "acme_streamalert_osquery_differential"
)

// waits records the sender's waits instead of sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

// newSender is a sender for the fake with the cloudtrail and osquery
// streams, enabling "cloudtrail" and "osquery:differential"; its waits are
// recorded, not slept.
func newSender(t *testing.T, o Options) (*awsfake.Server, *Sender, *waits) {
	t.Helper()
	s := awsfake.New(t)
	s.AddStream(cloudtrailStream)
	s.AddStream(osqueryStream)
	w := &waits{}
	if o.Sleep == nil {
		o.Sleep = w.sleep
	}
	return s, New(s.FirehoseClient(1), firehoseConf(true, "cloudtrail", "osquery:differential"), o), w
}

// padded is a cloudtrail:events record whose Firehose line (newline
// included) is n bytes.
func padded(n int) Record {
	const frame = len(`{"p":""}`) + 1
	return Record{LogType: "cloudtrail:events", Data: json.RawMessage(`{"p":"` + strings.Repeat("x", n-frame) + `"}`)}
}

func lines(recs ...string) [][]byte {
	out := make([][]byte, len(recs))
	for i, r := range recs {
		out[i] = []byte(r + "\n")
	}
	return out
}

// TestSendGroupsAndSanitizes: records go to the stream of their log type
// as sanitized compact lines, in order; log types not enabled are left
// out; one call per stream.
func TestSendGroupsAndSanitizes(t *testing.T) {
	s, snd, _ := newSender(t, Options{})
	recs := []Record{
		{"cloudtrail:events", json.RawMessage(`{"eventName": "GetObject", "user:identity": {"arn-x": "a"}}`)},
		{"osquery:differential", json.RawMessage(`{"name": "pack/x", "columns": {"host.name": "h"}, "decorations": [{"a:b": 1}]}`)},
		{"osquery:snapshot", json.RawMessage(`{"name": "not enabled"}`)},
		{"cloudtrail:events", json.RawMessage(`{"eventName": "PutObject"}`)},
	}
	res, err := snd.Send(context.Background(), recs)
	if err != nil || len(res.Failed) != 0 || len(res.Rejected) != 0 {
		t.Fatalf("Send: %+v, %v", res, err)
	}
	want := map[string][][]byte{
		cloudtrailStream: lines(`{"eventName":"GetObject","user_identity":{"arn_x":"a"}}`, `{"eventName":"PutObject"}`),
		osqueryStream:    lines(`{"name":"pack/x","columns":{"host_name":"h"},"decorations":[{"a:b":1}]}`),
	}
	for stream, w := range want {
		if got := s.FirehoseRecords(stream); !slices.EqualFunc(got, w, bytes.Equal) {
			t.Errorf("%s got %q, want %q", stream, got, w)
		}
	}
	if n := len(s.Calls("PutRecordBatch")); n != 2 {
		t.Errorf("%d calls, want one per stream", n)
	}
	if got := s.FirehoseRecords("acme_streamalert_osquery_snapshot"); len(got) != 0 {
		t.Errorf("records of a log type not enabled were sent: %q", got)
	}
}

// TestBatchLimits: calls hold at most 500 records and 4,000,000 bytes,
// and exactly that much goes in one call.
func TestBatchLimits(t *testing.T) {
	many := func(n, size int) []Record {
		out := make([]Record, n)
		for i := range out {
			out[i] = padded(size)
		}
		return out
	}
	tests := []struct {
		name  string
		recs  []Record
		calls []int // records per call
	}{
		{"500 records", many(500, 20), []int{500}},
		{"501 records", many(501, 20), []int{500, 1}},
		{"4,000,000 bytes", many(4, 1_000_000), []int{4}},
		{"4,000,001 bytes", append(many(3, 1_000_000), padded(1_000_001)), []int{3, 1}},
		{"both", append(many(499, 100), padded(MaxRecordBytes), padded(MaxRecordBytes)), []int{500, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, snd, _ := newSender(t, Options{})
			res, err := snd.Send(context.Background(), tt.recs)
			if err != nil || len(res.Failed)+len(res.Rejected) != 0 {
				t.Fatalf("Send: %+v, %v", res, err)
			}
			var got []int
			for _, c := range s.Calls("PutRecordBatch") {
				data := c.BatchData()
				total := 0
				for _, d := range data {
					total += len(d)
				}
				if len(data) > MaxBatchRecords || total > MaxBatchBytes {
					t.Errorf("a call of %d records and %d bytes", len(data), total)
				}
				got = append(got, len(data))
			}
			if !slices.Equal(got, tt.calls) {
				t.Errorf("records per call %v, want %v", got, tt.calls)
			}
			if n := len(s.FirehoseRecords(cloudtrailStream)); n != len(tt.recs) {
				t.Errorf("%d records delivered, want %d", n, len(tt.recs))
			}
		})
	}
}

// TestOversizeRejected: a record over 1,000 KiB as a line is handed back
// with the reason instead of being sent or dropped; one at the limit goes.
func TestOversizeRejected(t *testing.T) {
	s, snd, _ := newSender(t, Options{})
	recs := []Record{padded(100), padded(MaxRecordBytes + 1), padded(MaxRecordBytes)}
	res, err := snd.Send(context.Background(), recs)
	if err != nil || len(res.Failed) != 0 {
		t.Fatalf("Send: %+v, %v", res, err)
	}
	if len(res.Rejected) != 1 || res.Rejected[0].Index != 1 {
		t.Fatalf("rejected %+v, want record 1 alone", res.Rejected)
	}
	want := fmt.Sprintf("record is %d bytes as a Firehose record for stream %s, over Firehose's limit of %d bytes", MaxRecordBytes+1, cloudtrailStream, MaxRecordBytes)
	if !strings.Contains(res.Rejected[0].Reason, want) {
		t.Errorf("reason %q, want %q", res.Rejected[0].Reason, want)
	}
	got := s.FirehoseRecords(cloudtrailStream)
	if len(got) != 2 || len(got[0]) != 100 || len(got[1]) != MaxRecordBytes {
		t.Errorf("delivered %d records, want the two within the limit", len(got))
	}
}

// marked are records whose data says which they are.
func marked(n int) []Record {
	out := make([]Record, n)
	for i := range out {
		out[i] = Record{LogType: "cloudtrail:events", Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))}
	}
	return out
}

// refuseOnce makes Firehose refuse the records with the given numbers
// the first time it sees each.
func refuseOnce(s *awsfake.Server, nums ...int) {
	var mu sync.Mutex
	seen := map[string]bool{}
	s.FailFirehoseRecords(func(_ string, data []byte) bool {
		mu.Lock()
		defer mu.Unlock()
		for _, n := range nums {
			if string(data) == fmt.Sprintf("{\"n\":%d}\n", n) && !seen[string(data)] {
				seen[string(data)] = true
				return true
			}
		}
		return false
	})
}

// TestPartialFailureRetriesFailedOnly: the records Firehose refused, and
// only they, are sent again after a wait.
func TestPartialFailureRetriesFailedOnly(t *testing.T) {
	s, snd, w := newSender(t, Options{})
	refuseOnce(s, 1, 3)
	res, err := snd.Send(context.Background(), marked(5))
	if err != nil || len(res.Failed) != 0 {
		t.Fatalf("Send: %+v, %v", res, err)
	}
	calls := s.Calls("PutRecordBatch")
	if len(calls) != 2 {
		t.Fatalf("%d calls, want 2", len(calls))
	}
	if got, want := calls[1].BatchData(), lines(`{"n":1}`, `{"n":3}`); !slices.EqualFunc(got, want, bytes.Equal) {
		t.Errorf("retry sent %q, want only the refused %q", got, want)
	}
	if got := s.FirehoseRecords(cloudtrailStream); len(got) != 5 {
		t.Errorf("%d records delivered, want 5", len(got))
	}
	if len(w.d) != 1 || w.d[0] > DefaultFirstWait || w.d[0] < DefaultFirstWait/2 {
		t.Errorf("waits %v, want one of at most %v", w.d, DefaultFirstWait)
	}
}

// TestPersistentFailure: a record refused on every try is returned as
// failed after Tries calls, each retry carrying it alone, and the error
// names the stream and the count.
func TestPersistentFailure(t *testing.T) {
	s, snd, w := newSender(t, Options{Tries: 4})
	s.FailFirehoseRecords(func(_ string, data []byte) bool { return string(data) == "{\"n\":2}\n" })
	res, err := snd.Send(context.Background(), marked(3))
	if !slices.Equal(res.Failed, []int{2}) {
		t.Errorf("failed %v, want [2]", res.Failed)
	}
	if err == nil || !strings.Contains(err.Error(), "stream "+cloudtrailStream+": 1 of 3 records not delivered after 4 tries") ||
		!strings.Contains(err.Error(), "ServiceUnavailableException") {
		t.Errorf("error %v, want one naming the stream, the count and the code", err)
	}
	calls := s.Calls("PutRecordBatch")
	if len(calls) != 4 {
		t.Fatalf("%d calls, want 4", len(calls))
	}
	for _, c := range calls[1:] {
		if got := c.BatchData(); len(got) != 1 || string(got[0]) != "{\"n\":2}\n" {
			t.Errorf("retry sent %q, want only record 2", got)
		}
	}
	if len(w.d) != 3 {
		t.Errorf("%d waits between 4 tries", len(w.d))
	}
}

// TestBackoff: waits double from FirstWait up to MaxWait, each within
// its jitter range, and there are Tries-1 of them.
func TestBackoff(t *testing.T) {
	s, snd, w := newSender(t, Options{FirstWait: time.Second})
	s.FailFirehoseRecords(func(string, []byte) bool { return true })
	res, err := snd.Send(context.Background(), marked(1))
	if err == nil || len(res.Failed) != 1 {
		t.Fatalf("Send: %+v, %v", res, err)
	}
	if len(w.d) != DefaultTries-1 {
		t.Fatalf("%d waits, want %d", len(w.d), DefaultTries-1)
	}
	for i, d := range w.d {
		top := min(time.Second<<i, DefaultMaxWait)
		if d > top || d < top/2 {
			t.Errorf("wait %d is %v, want %v to %v", i+1, d, top/2, top)
		}
	}
}

// TestContextEnds: a cancelled context stops the retries at once, and a
// deadline too close for the next wait stops them before it.
func TestContextEnds(t *testing.T) {
	t.Run("cancelled", func(t *testing.T) {
		s, snd, _ := newSender(t, Options{FirstWait: time.Minute, Sleep: sleep})
		ctx, cancel := context.WithCancel(context.Background())
		s.FailFirehoseRecords(func(string, []byte) bool { cancel(); return true })
		start := time.Now()
		res, err := snd.Send(ctx, marked(2))
		if !errors.Is(err, context.Canceled) || !slices.Equal(res.Failed, []int{0, 1}) {
			t.Errorf("Send: %+v, %v; want both failed, context.Canceled", res, err)
		}
		if time.Since(start) > 10*time.Second {
			t.Error("Send waited after the context was cancelled")
		}
	})
	t.Run("deadline", func(t *testing.T) {
		s, snd, _ := newSender(t, Options{FirstWait: 10 * time.Second, Sleep: sleep})
		s.FailFirehoseRecords(func(string, []byte) bool { return true })
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
		defer cancel()
		start := time.Now()
		res, err := snd.Send(ctx, marked(1))
		if !errors.Is(err, context.DeadlineExceeded) || len(res.Failed) != 1 {
			t.Errorf("Send: %+v, %v", res, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Send took %v; a wait past the deadline should not start", d)
		}
		if n := len(s.Calls("PutRecordBatch")); n != 1 {
			t.Errorf("%d calls, want 1", n)
		}
	})
}

// TestCallErrors: a missing stream is not retried; Firehose being
// unavailable for a whole call is.
func TestCallErrors(t *testing.T) {
	t.Run("missing stream", func(t *testing.T) {
		s := awsfake.New(t)
		snd := New(s.FirehoseClient(1), firehoseConf(true, "cloudtrail"), Options{Sleep: (&waits{}).sleep})
		res, err := snd.Send(context.Background(), marked(2))
		if err == nil || !strings.Contains(err.Error(), cloudtrailStream) || !strings.Contains(err.Error(), "ResourceNotFoundException") {
			t.Errorf("error %v, want one naming the stream and ResourceNotFoundException", err)
		}
		if !slices.Equal(res.Failed, []int{0, 1}) {
			t.Errorf("failed %v", res.Failed)
		}
		if n := len(s.Calls("PutRecordBatch")); n != 1 {
			t.Errorf("%d calls for a stream that does not exist, want 1", n)
		}
	})
	t.Run("access denied", func(t *testing.T) {
		s, snd, _ := newSender(t, Options{})
		s.Fail("PutRecordBatch", -1, awsfake.AccessDenied)
		res, err := snd.Send(context.Background(), marked(1))
		if err == nil || !strings.Contains(err.Error(), "AccessDeniedException") || len(res.Failed) != 1 {
			t.Errorf("Send: %+v, %v", res, err)
		}
		if n := len(s.Calls("PutRecordBatch")); n != 1 {
			t.Errorf("%d calls when access is denied, want 1", n)
		}
	})
	t.Run("unavailable", func(t *testing.T) {
		s, snd, _ := newSender(t, Options{})
		s.Fail("PutRecordBatch", 1, awsfake.ServerError)
		res, err := snd.Send(context.Background(), marked(2))
		if err != nil || len(res.Failed) != 0 {
			t.Fatalf("Send: %+v, %v", res, err)
		}
		if n := len(s.FirehoseRecords(cloudtrailStream)); n != 2 {
			t.Errorf("%d records delivered after the retry, want 2", n)
		}
	})
}

// TestSendAlerts: alerts go to the alerts stream as their payload form,
// one a line; nothing is sent when historical search is off.
func TestSendAlerts(t *testing.T) {
	s, snd, _ := newSender(t, Options{})
	s.AddStream("acme_streamalert_alerts")
	var alerts []*alert.Alert
	for i := range 2 {
		a, err := alert.New(alert.Params{
			RuleName: "root_login", Record: json.RawMessage(fmt.Sprintf(`{"user:name": "root", "n": %d}`, i)),
			Outputs: []string{"slack:soc"}, Cluster: "prod", LogSource: "cloudtrail:events", LogType: "json",
			Created: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC),
		})
		if err != nil {
			t.Fatal(err)
		}
		alerts = append(alerts, a)
	}
	res, err := snd.SendAlerts(context.Background(), alerts)
	if err != nil || len(res.Failed)+len(res.Rejected) != 0 {
		t.Fatalf("SendAlerts: %+v, %v", res, err)
	}
	got := s.FirehoseRecords("acme_streamalert_alerts")
	if len(got) != 2 {
		t.Fatalf("%d alerts delivered", len(got))
	}
	for i, a := range alerts {
		want, _ := a.Payload()
		if string(got[i]) != string(want)+"\n" {
			t.Errorf("alert %d: got %s\nwant %s", i, got[i], want)
		}
	}

	off := New(s.FirehoseClient(1), firehoseConf(false, "cloudtrail"), Options{})
	before := len(s.Calls())
	if res, err := off.SendAlerts(context.Background(), alerts); err != nil || len(res.Failed) != 0 || len(s.Calls()) != before {
		t.Errorf("with historical search off: %+v, %v, %d calls", res, err, len(s.Calls())-before)
	}
}
