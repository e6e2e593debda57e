package awsfake

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
)

// athenaClient is an Athena client of the fake making up to attempts
// attempts per call, without waiting between them.
func athenaClient(s *Server, attempts int) *athena.Client {
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	return athena.New(athena.Options{
		Region: Region, BaseEndpoint: aws.String(s.URL), HTTPClient: &http.Client{Transport: tr, Timeout: 10 * time.Second},
		Credentials: credentials.NewStaticCredentialsProvider(AccessKeyID, SecretKey, ""),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = attempts
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		}),
	})
}

func athenaStart(t *testing.T, c *athena.Client, query, token string) string {
	t.Helper()
	in := &athena.StartQueryExecutionInput{QueryString: aws.String(query), WorkGroup: aws.String("primary"),
		QueryExecutionContext: &types.QueryExecutionContext{Database: aws.String("sa_data")},
		ResultConfiguration:   &types.ResultConfiguration{OutputLocation: aws.String("s3://results/q/")}}
	if token != "" {
		in.ClientRequestToken = aws.String(token)
	}
	out, err := c.StartQueryExecution(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.QueryExecutionId)
}

// TestAthenaStates: an execution reports its scripted states in turn,
// with the statistics and reason once final; an unscripted query fails.
func TestAthenaStates(t *testing.T) {
	s := New(t)
	s.ScriptAthena(AthenaScript{Match: "FROM ok", DataScanned: 123, EngineMillis: 45})
	s.ScriptAthena(AthenaScript{Match: "FROM bad", States: []string{"RUNNING", "FAILED"}, Reason: "SYNTAX_ERROR: line 1:8"})
	c := athenaClient(s, 1)
	ctx := context.Background()
	tests := []struct {
		query  string
		states []types.QueryExecutionState
		reason string
	}{
		{"SELECT 1 FROM ok", []types.QueryExecutionState{"QUEUED", "RUNNING", "SUCCEEDED", "SUCCEEDED"}, ""},
		{"SELECT 1 FROM bad", []types.QueryExecutionState{"RUNNING", "FAILED", "FAILED"}, "SYNTAX_ERROR: line 1:8"},
		{"SELECT 1 FROM nowhere", []types.QueryExecutionState{"FAILED"}, "awsfake: no AthenaScript matches this query"},
	}
	for _, tt := range tests {
		id := athenaStart(t, c, tt.query, "")
		for i, want := range tt.states {
			out, err := c.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			st := out.QueryExecution.Status
			if st.State != want {
				t.Fatalf("%s poll %d: %s, want %s", tt.query, i, st.State, want)
			}
			final := want != "QUEUED" && want != "RUNNING"
			if final != (st.CompletionDateTime != nil) || aws.ToString(st.StateChangeReason) != map[bool]string{true: tt.reason}[final] {
				t.Errorf("%s poll %d: completion %v reason %q", tt.query, i, st.CompletionDateTime, aws.ToString(st.StateChangeReason))
			}
		}
	}
	e := s.AthenaExecutions()
	if len(e) != 3 || e[0].Workgroup != "primary" || e[0].Database != "sa_data" || e[0].OutputLocation != "s3://results/q/" {
		t.Errorf("executions %+v", e)
	}
	out, _ := c.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(e[0].ID)})
	if st := out.QueryExecution.Statistics; aws.ToInt64(st.DataScannedInBytes) != 123 || aws.ToInt64(st.EngineExecutionTimeInMillis) != 45 {
		t.Errorf("statistics %+v", st)
	}
}

// TestAthenaResults: results page at MaxResults with a NextToken, the
// header row first on the first page only, nulls without a value.
func TestAthenaResults(t *testing.T) {
	s := New(t)
	var rows [][]string
	for i := range 5 {
		rows = append(rows, []string{fmt.Sprint(i), AthenaNull})
	}
	s.ScriptAthena(AthenaScript{Match: "rows", States: []string{"SUCCEEDED"}, Columns: []string{"n", "v"}, Rows: rows})
	c := athenaClient(s, 1)
	ctx := context.Background()
	id := athenaStart(t, c, "SELECT rows", "")
	if _, err := c.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id)}); err == nil {
		t.Fatal("results of a query never polled (QUEUED) were served")
	}
	c.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
	var got []types.Row
	in := &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id), MaxResults: aws.Int32(4)}
	pages := 0
	for {
		out, err := c.GetQueryResults(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if cols := out.ResultSet.ResultSetMetadata.ColumnInfo; len(cols) != 2 || aws.ToString(cols[1].Name) != "v" {
			t.Errorf("column info %+v", cols)
		}
		got = append(got, out.ResultSet.Rows...)
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if pages != 2 || len(got) != 6 || aws.ToString(got[0].Data[0].VarCharValue) != "n" || aws.ToString(got[5].Data[0].VarCharValue) != "4" || got[5].Data[1].VarCharValue != nil {
		t.Errorf("%d pages, %d rows: %+v", pages, len(got), got)
	}
	for _, bad := range []*athena.GetQueryResultsInput{
		{QueryExecutionId: aws.String(id), MaxResults: aws.Int32(1001)},
		{QueryExecutionId: aws.String(id), NextToken: aws.String("bm9wZQ==")},
		{QueryExecutionId: aws.String("00000000-0000-0000-0000-000000000000")},
	} {
		if _, err := c.GetQueryResults(ctx, bad); code(err) != "InvalidRequestException" {
			t.Errorf("%+v: %v, want InvalidRequestException", bad, err)
		}
	}
}

// TestAthenaErrors: unknown ids and workgroups are InvalidRequestException,
// throttled calls TooManyRequestsException that the SDK retries, a
// repeated client request token returns the same execution, and a
// stopped query is CANCELLED.
func TestAthenaErrors(t *testing.T) {
	s := New(t)
	s.ScriptAthena(AthenaScript{Match: "long", States: []string{"RUNNING"}})
	ctx := context.Background()
	if _, err := athenaClient(s, 1).GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String("nope")}); code(err) != "InvalidRequestException" {
		t.Errorf("unknown id: %v", err)
	}
	_, err := athenaClient(s, 1).StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT 1"), WorkGroup: aws.String("gone")})
	if code(err) != "InvalidRequestException" {
		t.Errorf("unknown workgroup: %v", err)
	}
	s.ThrottleAthena("StartQueryExecution", 1)
	if _, err := athenaClient(s, 1).StartQueryExecution(ctx, &athena.StartQueryExecutionInput{QueryString: aws.String("SELECT long")}); code(err) != "TooManyRequestsException" {
		t.Errorf("throttled: %v", err)
	}
	s.ThrottleAthena("StartQueryExecution", 2)
	before := len(s.Calls("StartQueryExecution"))
	const token = "0123456789abcdef0123456789abcdef"
	id := athenaStart(t, athenaClient(s, 3), "SELECT long", token)
	if n := len(s.Calls("StartQueryExecution")) - before; n != 3 {
		t.Errorf("%d attempts, want 3 (two throttled)", n)
	}
	if again := athenaStart(t, athenaClient(s, 1), "SELECT long", token); again != id {
		t.Errorf("same token started %s, then %s", id, again)
	}
	if n := len(s.AthenaExecutions()); n != 1 {
		t.Errorf("%d executions, want 1", n)
	}
	c := athenaClient(s, 1)
	if _, err := c.StopQueryExecution(ctx, &athena.StopQueryExecutionInput{QueryExecutionId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
	if err != nil || out.QueryExecution.Status.State != types.QueryExecutionStateCancelled {
		t.Errorf("after stop: %+v %v", out, err)
	}
}
