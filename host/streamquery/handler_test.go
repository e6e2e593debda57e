package streamquery

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamalert-go/sa/internal/awsfake"
)

const (
	logins = `name: failed_logins
description: Failed console logins
query: |
  SELECT arn, failures FROM cloudtrail WHERE dt >= '{utcdatehour_minus1hour}'
params: [utcdatehour_minus1hour]
tags: [hourly, cloudtrail]
`
	broken = `name: broken
description: A query Athena refuses
query: SELECT nope FROM cloudtrail
tags: [hourly]
`
	daily = `name: daily_only
query: SELECT 1 FROM daily
tags: [daily]
`
)

// TestRun: a pack's queries run at the event's clock; a result of three
// pages reaches the stream whole, a failed query as a record with its
// error; throttling by Athena is retried, by the SDK and then by the
// next poll; every record classifies as streamquery:version1.
func TestRun(t *testing.T) {
	h := newHarness(t)
	var rows [][]string
	for i := range 2500 {
		v := fmt.Sprint(i)
		if i%1000 == 7 {
			v = awsfake.AthenaNull
		}
		rows = append(rows, []string{fmt.Sprintf("arn:aws:iam::123456789012:user/u%d", i), v})
	}
	h.fake.ScriptAthena(awsfake.AthenaScript{Match: "FROM cloudtrail WHERE", Columns: []string{"arn", "failures"}, Rows: rows,
		DataScanned: 2048, EngineMillis: 1500})
	h.fake.ScriptAthena(awsfake.AthenaScript{Match: "SELECT nope", States: []string{"RUNNING", "FAILED"},
		Reason: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved"})
	h.fake.ThrottleAthena("StartQueryExecution", 2) // the SDK's third attempt starts it
	h.fake.ThrottleAthena("GetQueryExecution", 4)   // one poll fails all three attempts
	queries := []*Query{mustQuery(t, logins), mustQuery(t, broken), mustQuery(t, daily)}

	sum, err := h.handler(t, queries).Handle(context.Background(), scheduled("2026-11-01T09:00:00Z", "hourly"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Summary{Run: sum.Run, Queries: 2, Sent: 2, Failed: 1}); sum != want || sum.Run == "" {
		t.Errorf("summary %+v, want %+v", sum, want)
	}
	execs := h.fake.AthenaExecutions()
	if len(execs) != 2 {
		t.Fatalf("%d executions, want the two hourly queries", len(execs))
	}
	for _, e := range execs {
		if e.Workgroup != "security" || e.Database != "sa_streamalert" || e.OutputLocation != "s3://sa-athena-results/scheduled_queries/" || len(e.Token) != 64 {
			t.Errorf("execution %+v: want the workgroup, database, output location and a request token", e)
		}
	}
	if !strings.Contains(execs[0].Query, "dt >= '2026-11-01-08'") {
		t.Errorf("query %q not rendered at the clock", execs[0].Query)
	}
	if n := len(h.fake.Calls("GetQueryResults")); n != 3 {
		t.Errorf("%d GetQueryResults calls, want 3 pages", n)
	}

	recs := readStream(t, h.kinesis, h.stream)
	got := byName(recs)
	if len(recs) != 2 || len(got["failed_logins"]) != 1 || len(got["broken"]) != 1 {
		t.Fatalf("%d records on the stream: %v", len(recs), got)
	}
	ok := got["failed_logins"][0]
	e := ok.Rec.Execution
	want := Execution{Name: "failed_logins", Description: "Failed console logins", Query: execs[0].Query,
		QueryParameters: map[string]string{"utcdatehour_minus1hour": "2026-11-01-08"}, DataScanned: 2048, ExecutionTimeMs: 1500,
		Tags: []string{"hourly", "cloudtrail"}, QueryExecutionID: execs[0].ID,
		ConsoleLink: "https://us-east-1.console.aws.amazon.com/athena/home?region=us-east-1#/query-editor/history/" + execs[0].ID}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("execution\n got %+v\nwant %+v", e, want)
	}
	if ok.Key != execs[0].ID || ok.Rec.Version != "1.0.0" {
		t.Errorf("partition key %s version %s", ok.Key, ok.Rec.Version)
	}
	d := ok.Rec.Data
	if d.Count != 2500 || len(d.Rows) != 2500 || !reflect.DeepEqual(d.Headers, []string{"arn", "failures"}) || d.Parts != 0 {
		t.Fatalf("data: count %d, %d rows, headers %v, parts %d", d.Count, len(d.Rows), d.Headers, d.Parts)
	}
	for _, i := range []int{0, 7, 999, 1000, 1007, 2499} {
		var row map[string]*string
		json.Unmarshal(d.Rows[i], &row)
		if *row["arn"] != rows[i][0] || (rows[i][1] == awsfake.AthenaNull) != (row["failures"] == nil) {
			t.Errorf("row %d: %s, want %v", i, d.Rows[i], rows[i])
		}
	}
	bad := got["broken"][0].Rec
	if bad.Execution.Error == nil || !strings.HasPrefix(bad.Execution.Error.Description, "COLUMN_NOT_FOUND") || bad.Data.Count != 0 ||
		len(bad.Data.Rows) != 0 || bad.Execution.QueryExecutionID != execs[1].ID {
		t.Errorf("failed query's record %+v", bad)
	}
	var data [][]byte
	for _, r := range recs {
		data = append(data, r.Data)
	}
	for i, lt := range classifyAll(t, h.stream, data) {
		if lt != "streamquery:version1" {
			t.Errorf("record %d classified as %s", i, lt)
		}
	}
}

// TestHandOver: a query still running when the invocation's time is
// short is handed to an asynchronous invocation of the function with the
// run's state; that invocation sends the rest, and nothing is sent or
// started twice.
func TestHandOver(t *testing.T) {
	h := newHarness(t)
	h.fake.ScriptAthena(awsfake.AthenaScript{Match: "SELECT arn", States: []string{"SUCCEEDED"}, Columns: []string{"arn", "failures"},
		Rows: [][]string{{"a", "1"}}})
	h.fake.ScriptAthena(awsfake.AthenaScript{Match: "SELECT nope", States: []string{"QUEUED", "RUNNING", "RUNNING", "SUCCEEDED"},
		Columns: []string{"nope"}, Rows: [][]string{{"x"}}})
	queries := []*Query{mustQuery(t, logins), mustQuery(t, broken)}
	// With less time left than the margin from the start, the first
	// invocation polls once and hands over.
	hd := h.handler(t, queries, func(o *Options) { o.Margin = time.Hour })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	first, err := hd.Handle(ctx, scheduled("2026-11-01T09:00:00Z", "hourly"))
	if err != nil {
		t.Fatal(err)
	}
	if !first.HandedOver || first.Sent != 1 || first.Pending != 1 {
		t.Fatalf("first invocation %+v, want one sent and one handed over", first)
	}
	inv := h.fake.Only(t, "Invoke")
	if inv.Path != "/2015-03-31/functions/"+functionName+"/invocations" || inv.Header.Get("X-Amz-Invocation-Type") != "Event" {
		t.Errorf("Invoke %s %s, want an asynchronous invocation of the function itself", inv.Path, inv.Header.Get("X-Amz-Invocation-Type"))
	}
	var ev Event
	if err := json.Unmarshal(inv.Body, &ev); err != nil {
		t.Fatal(err)
	}
	execs := h.fake.AthenaExecutions()
	st := ev.State
	if st == nil || ev.Configuration == nil || ev.Configuration.Clock != "2026-11-01T09:00:00Z" || st.Run != first.Run || st.Handovers != 1 || len(st.Queries) != 2 {
		t.Fatalf("handed-over event %s", inv.Body)
	}
	if q := st.Queries[0]; !q.Sent || q.ExecutionID != execs[0].ID || q.Query != "" {
		t.Errorf("sent query's state %+v, want its id and sent, nothing more", q)
	}
	if q := st.Queries[1]; q.Sent || q.ExecutionID != execs[1].ID || q.Query != execs[1].Query || q.Description != "A query Athena refuses" {
		t.Errorf("running query's state %+v, want its id and what was sent to Athena", q)
	}

	second, err := h.handler(t, queries).Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if second.HandedOver || second.Sent != 1 || second.Run != first.Run {
		t.Errorf("second invocation %+v, want the remaining query sent", second)
	}
	if n := len(h.fake.Calls("StartQueryExecution")); n != 2 {
		t.Errorf("%d StartQueryExecution calls, want 2: the second invocation starts nothing", n)
	}
	if n := len(h.fake.Calls("Invoke")); n != 1 {
		t.Errorf("%d hand-overs, want 1", n)
	}
	recs := byName(readStream(t, h.kinesis, h.stream))
	if len(recs["failed_logins"]) != 1 || len(recs["broken"]) != 1 || len(recs) != 2 {
		t.Errorf("records by query %v, want one each", recs)
	}
	if d := recs["broken"][0].Rec.Data; d.Count != 1 || string(d.Rows[0]) != `{"nope":"x"}` {
		t.Errorf("handed-over query's data %+v", d)
	}
}

// TestOversize: a result over Kinesis's record limit is split by rows
// over several records, each under the limit with the execution, the
// whole count and its part; nothing is dropped, order is kept.
func TestOversize(t *testing.T) {
	h := newHarness(t)
	var rows [][]string
	pad := strings.Repeat("x", 600)
	for i := range 3000 {
		rows = append(rows, []string{fmt.Sprint(i), pad})
	}
	h.fake.ScriptAthena(awsfake.AthenaScript{Match: "SELECT arn", States: []string{"SUCCEEDED"}, Columns: []string{"n", "pad"}, Rows: rows})
	if _, err := h.handler(t, []*Query{mustQuery(t, logins)}).Handle(context.Background(), scheduled("2026-11-01T09:00:00Z", "cloudtrail")); err != nil {
		t.Fatal(err)
	}
	recs := readStream(t, h.kinesis, h.stream)
	if len(recs) < 2 {
		t.Fatalf("%d records for a %d-byte result", len(recs), 3000*620)
	}
	next := 0
	var data [][]byte
	for i, r := range recs {
		d := r.Rec.Data
		if len(r.Data)+len(r.Key) > MaxRecordBytes || d.Part != i+1 || d.Parts != len(recs) || d.Count != 3000 || r.Rec.Execution.Name != "failed_logins" {
			t.Errorf("record %d: %d bytes, part %d/%d, count %d", i, len(r.Data), d.Part, d.Parts, d.Count)
		}
		for _, row := range d.Rows {
			var v map[string]string
			json.Unmarshal(row, &v)
			if v["n"] != fmt.Sprint(next) {
				t.Fatalf("part %d: row %s, want n=%d", d.Part, v["n"], next)
			}
			next++
		}
		data = append(data, r.Data)
	}
	if next != 3000 {
		t.Errorf("%d rows over all parts, want 3000", next)
	}
	for i, lt := range classifyAll(t, h.stream, data) {
		if lt != "streamquery:version1" {
			t.Errorf("part %d classified as %s", i+1, lt)
		}
	}
}

// refusing passes PutRecords to kinesalite except for the entries refuse
// picks, which it answers as Kinesis answers throttled entries.
type refusing struct {
	KinesisAPI
	refuse func(call, entry int) bool
	calls  [][]int // the number of entries of each call
	n      int
}

func (r *refusing) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, opts ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	call := r.n
	r.n++
	var keep []ktypes.PutRecordsRequestEntry
	var kept []int
	for i, e := range in.Records {
		if !r.refuse(call, i) {
			keep, kept = append(keep, e), append(kept, i)
		}
	}
	r.calls = append(r.calls, []int{len(in.Records)})
	out := &kinesis.PutRecordsOutput{Records: make([]ktypes.PutRecordsResultEntry, len(in.Records))}
	for i := range out.Records {
		out.Records[i] = ktypes.PutRecordsResultEntry{ErrorCode: aws.String("ProvisionedThroughputExceededException"),
			ErrorMessage: aws.String("Rate exceeded for shard shardId-000000000000")}
	}
	if len(keep) > 0 {
		res, err := r.KinesisAPI.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: in.StreamName, Records: keep}, opts...)
		if err != nil {
			return nil, err
		}
		for j, i := range kept {
			out.Records[i] = res.Records[j]
		}
	}
	return out, nil
}

// TestPutRetriesRefused: records Kinesis refuses are sent again, alone;
// records it took are not sent twice.
func TestPutRetriesRefused(t *testing.T) {
	h := newHarness(t)
	var rows [][]string
	for i := range 3000 {
		rows = append(rows, []string{fmt.Sprint(i), strings.Repeat("y", 600)})
	}
	h.fake.ScriptAthena(awsfake.AthenaScript{Match: "SELECT arn", States: []string{"SUCCEEDED"}, Columns: []string{"n", "pad"}, Rows: rows})
	r := &refusing{KinesisAPI: h.kinesis, refuse: func(call, entry int) bool { return call < 2 && entry == 0 }}
	hd := h.handler(t, []*Query{mustQuery(t, logins)}, func(o *Options) { o.Kinesis = r })
	if _, err := hd.Handle(context.Background(), scheduled("2026-11-01T09:00:00Z", "hourly")); err != nil {
		t.Fatal(err)
	}
	recs := readStream(t, h.kinesis, h.stream)
	parts := len(recs)
	if parts < 2 || !reflect.DeepEqual(r.calls, [][]int{{parts}, {1}, {1}}) {
		t.Fatalf("calls %v for %d parts, want all, then the refused one twice", r.calls, parts)
	}
	seen := map[int]bool{}
	for _, rec := range recs {
		if seen[rec.Rec.Data.Part] {
			t.Errorf("part %d sent twice", rec.Rec.Data.Part)
		}
		seen[rec.Rec.Data.Part] = true
	}
	if len(seen) != recs[0].Rec.Data.Parts {
		t.Errorf("parts %v of %d", seen, recs[0].Rec.Data.Parts)
	}

	// Refused every time: the run fails naming the stream, once its time
	// is up.
	h2 := newHarness(t)
	h2.cfg.Timeout = 300 * time.Millisecond
	h2.fake.ScriptAthena(awsfake.AthenaScript{Match: "SELECT arn", States: []string{"SUCCEEDED"}})
	never := &refusing{KinesisAPI: h2.kinesis, refuse: func(int, int) bool { return true }}
	_, err := h2.handler(t, []*Query{mustQuery(t, logins)}, func(o *Options) { o.Kinesis = never }).
		Handle(context.Background(), scheduled("2026-11-01T09:00:00Z", "hourly"))
	if err == nil || !strings.Contains(err.Error(), "failed_logins") || !strings.Contains(err.Error(), h2.stream) ||
		!strings.Contains(err.Error(), "ProvisionedThroughputExceededException") {
		t.Errorf("error %v, want one naming the query, the stream and Kinesis's refusal", err)
	}
}

// TestGiveUp: a query still running after sfn_timeout_secs is stopped
// and sent as a record with an error; one Athena cannot start is sent
// with Athena's refusal.
func TestGiveUp(t *testing.T) {
	h := newHarness(t)
	h.cfg.Timeout = 300 * time.Millisecond
	h.fake.ScriptAthena(awsfake.AthenaScript{Match: "SELECT arn", States: []string{"RUNNING"}})
	h.fake.ScriptAthena(awsfake.AthenaScript{Match: "SELECT nope", States: []string{"SUCCEEDED"}})
	sum, err := h.handler(t, []*Query{mustQuery(t, logins), mustQuery(t, broken)}).
		Handle(context.Background(), scheduled("2026-11-01T09:00:00Z", "hourly"))
	if err != nil || sum.Sent != 2 || sum.Failed != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	stop := h.fake.Only(t, "StopQueryExecution")
	execs := h.fake.AthenaExecutions()
	if stop.String("QueryExecutionId") != execs[0].ID {
		t.Errorf("stopped %s, want %s", stop.String("QueryExecutionId"), execs[0].ID)
	}
	recs := byName(readStream(t, h.kinesis, h.stream))
	if e := recs["failed_logins"][0].Rec.Execution.Error; e == nil || !strings.Contains(e.Description, "did not finish within 300ms (sfn_timeout_secs) and was stopped") {
		t.Errorf("error %+v", e)
	}

	// A workgroup Athena does not know: every query's record says so.
	h2 := newHarness(t)
	sum, err = h2.handler(t, []*Query{mustQuery(t, logins), mustQuery(t, broken)}, func(o *Options) { o.Workgroup = "gone" }).
		Handle(context.Background(), scheduled("2026-11-01T09:00:00Z", "hourly"))
	if err != nil || sum.Failed != 2 {
		t.Fatalf("%+v %v", sum, err)
	}
	for name, rs := range byName(readStream(t, h2.kinesis, h2.stream)) {
		e := rs[0].Rec.Execution.Error
		if len(rs) != 1 || e == nil || e.Description != "could not start the query: InvalidRequestException: WorkGroup gone is not found." || rs[0].Key != "unstarted-"+name {
			t.Errorf("%s: %d records, error %+v, key %s", name, len(rs), e, rs[0].Key)
		}
	}
}

// TestEvents: events that start no run are refused or do nothing.
func TestEvents(t *testing.T) {
	h := newHarness(t)
	hd := h.handler(t, []*Query{mustQuery(t, logins)})
	tests := []struct {
		name string
		ev   Event
		want string
	}{
		{"nothing", Event{}, "no streamquery_configuration"},
		{"bad clock", scheduled("yesterday", "hourly"), `clock "yesterday"`},
		{"no tags", scheduled("2026-11-01T09:00:00Z"), "tags: want at least one tag"},
		{"empty tag", scheduled("2026-11-01T09:00:00Z", ""), "tags: want at least one tag"},
		{"bad state", Event{State: &State{}}, "streamquery_state"},
		{"no queries", scheduled("2026-11-01T09:00:00Z", "weekly"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum, err := hd.Handle(context.Background(), tt.ev)
			if tt.want == "" {
				if err != nil || sum.Queries != 0 {
					t.Errorf("%+v %v, want nothing done", sum, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
	if n := len(h.fake.Calls()); n != 0 {
		t.Errorf("%d AWS calls, want none", n)
	}
}
