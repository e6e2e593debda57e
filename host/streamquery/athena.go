package streamquery

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/smithy-go"
)

// AthenaAPI is the part of the Athena client the function calls;
// *athena.Client implements it.
type AthenaAPI interface {
	StartQueryExecution(ctx context.Context, in *athena.StartQueryExecutionInput, opts ...func(*athena.Options)) (*athena.StartQueryExecutionOutput, error)
	GetQueryExecution(ctx context.Context, in *athena.GetQueryExecutionInput, opts ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error)
	GetQueryResults(ctx context.Context, in *athena.GetQueryResultsInput, opts ...func(*athena.Options)) (*athena.GetQueryResultsOutput, error)
	StopQueryExecution(ctx context.Context, in *athena.StopQueryExecutionInput, opts ...func(*athena.Options)) (*athena.StopQueryExecutionOutput, error)
}

// resultsPage is the most rows GetQueryResults returns at once.
const resultsPage = 1000

// requestToken is the client request token of a query in a run: the same
// for every attempt of the run, so Athena answers a retried start with
// the execution it already started.
func requestToken(run, name string) string {
	sum := sha256.Sum256([]byte(run + "\x00" + name))
	return hex.EncodeToString(sum[:])
}

// start starts one query and returns its execution id.
func (h *Handler) start(ctx context.Context, run string, q *QueryState) (string, error) {
	in := &athena.StartQueryExecutionInput{
		QueryString:        aws.String(q.Query),
		ClientRequestToken: aws.String(requestToken(run, q.Name)),
		WorkGroup:          aws.String(h.o.Workgroup),
	}
	if h.o.Database != "" {
		in.QueryExecutionContext = &types.QueryExecutionContext{Database: aws.String(h.o.Database)}
	}
	if h.o.OutputLocation != "" {
		in.ResultConfiguration = &types.ResultConfiguration{OutputLocation: aws.String(h.o.OutputLocation)}
	}
	out, err := h.o.Athena.StartQueryExecution(ctx, in)
	if err != nil {
		return "", fmt.Errorf("athena: start query %s in workgroup %s: %w", q.Name, h.o.Workgroup, err)
	}
	return aws.ToString(out.QueryExecutionId), nil
}

// status is what GetQueryExecution says of an execution.
type status struct {
	state       types.QueryExecutionState
	reason      string
	scanned     int64
	engineMilli int64
}

func (s status) finished() bool {
	return s.state == types.QueryExecutionStateSucceeded || s.state == types.QueryExecutionStateFailed ||
		s.state == types.QueryExecutionStateCancelled
}

func (h *Handler) status(ctx context.Context, q *QueryState) (status, error) {
	out, err := h.o.Athena.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(q.ExecutionID)})
	if err != nil {
		return status{}, fmt.Errorf("athena: get query execution %s (%s): %w", q.ExecutionID, q.Name, err)
	}
	var st status
	if e := out.QueryExecution; e != nil {
		if s := e.Status; s != nil {
			st.state, st.reason = s.State, aws.ToString(s.StateChangeReason)
			if st.reason == "" && s.AthenaError != nil {
				st.reason = aws.ToString(s.AthenaError.ErrorMessage)
			}
		}
		if s := e.Statistics; s != nil {
			st.scanned, st.engineMilli = aws.ToInt64(s.DataScannedInBytes), aws.ToInt64(s.EngineExecutionTimeInMillis)
		}
	}
	return st, nil
}

// results reads every page of a succeeded query's result. Rows past
// h.o.MaxResultBytes are not read; the returned note says so.
func (h *Handler) results(ctx context.Context, q *QueryState) (headers []string, rows []json.RawMessage, note string, err error) {
	in := &athena.GetQueryResultsInput{QueryExecutionId: aws.String(q.ExecutionID), MaxResults: aws.Int32(resultsPage)}
	size := 0
	for first := true; ; first = false {
		out, err := h.o.Athena.GetQueryResults(ctx, in)
		if err != nil {
			return nil, nil, "", fmt.Errorf("athena: get query results %s (%s): %w", q.ExecutionID, q.Name, err)
		}
		page := out.ResultSet
		if page == nil {
			page = &types.ResultSet{}
		}
		if first && page.ResultSetMetadata != nil {
			for _, c := range page.ResultSetMetadata.ColumnInfo {
				headers = append(headers, aws.ToString(c.Name))
			}
		}
		data := page.Rows
		// The first row of the first page names the columns, for every
		// query that has a header at all.
		if first && len(data) > 0 && headerRow(data[0], headers) {
			data = data[1:]
		}
		for _, r := range data {
			row := encodeRow(columns(headers, r))
			if size += len(row); size > h.o.MaxResultBytes {
				return headers, rows, fmt.Sprintf("the result is over %d bytes; only its first %d rows were sent (see the console link)", h.o.MaxResultBytes, len(rows)), nil
			}
			rows = append(rows, row)
		}
		if aws.ToString(out.NextToken) == "" {
			return headers, rows, "", nil
		}
		in.NextToken = out.NextToken
	}
}

// columns pairs a row's values with the headers; values past the headers
// get names of their own.
func columns(headers []string, r types.Row) []column {
	vals := values(r, len(headers))
	cols := make([]column, len(vals))
	for i, v := range vals {
		name := fmt.Sprintf("_col%d", i)
		if i < len(headers) {
			name = headers[i]
		}
		cols[i] = column{name: name, value: v}
	}
	return cols
}

// values are a row's values, padded with nulls to n; a datum without a
// value is SQL NULL.
func values(r types.Row, n int) []*string {
	out := make([]*string, max(n, len(r.Data)))
	for i, d := range r.Data {
		out[i] = d.VarCharValue
	}
	return out
}

// headerRow reports whether r holds the column names.
func headerRow(r types.Row, headers []string) bool {
	if len(r.Data) != len(headers) {
		return false
	}
	for i, d := range r.Data {
		if d.VarCharValue == nil || *d.VarCharValue != headers[i] {
			return false
		}
	}
	return true
}

// stop stops a query the run no longer waits for.
func (h *Handler) stop(ctx context.Context, q *QueryState) error {
	_, err := h.o.Athena.StopQueryExecution(ctx, &athena.StopQueryExecutionInput{QueryExecutionId: aws.String(q.ExecutionID)})
	if err != nil {
		return fmt.Errorf("athena: stop query execution %s (%s): %w", q.ExecutionID, q.Name, err)
	}
	return nil
}

// consoleLink is the execution's page in the Athena console.
func consoleLink(region, id string) string {
	if id == "" {
		return ""
	}
	return "https://" + region + ".console.aws.amazon.com/athena/home?region=" + url.QueryEscape(region) +
		"#/query-editor/history/" + url.PathEscape(id)
}

// permanent reports whether err is Athena refusing the request itself,
// which asking again will not change: InvalidRequestException (a bad
// query, an unknown workgroup or execution) or a denied permission.
func permanent(err error) bool {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	switch api.ErrorCode() {
	case "InvalidRequestException", "AccessDeniedException", "ResourceNotFoundException", "UnrecognizedClientException":
		return true
	}
	return false
}
