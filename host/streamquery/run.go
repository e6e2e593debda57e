package streamquery

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/athena/types"
)

// round starts the queries not yet started, then polls the others and
// sends the result of each one finished. Errors that asking again may
// cure (throttling, a service error) leave the query for the next round;
// Athena refusing the request makes the query's result an error.
func (h *Handler) round(ctx context.Context, st *State, sum *Summary, log *slog.Logger) {
	for i := range st.Queries {
		q := &st.Queries[i]
		if q.Sent || q.ExecutionID != "" || q.Error != "" || ctx.Err() != nil {
			continue
		}
		id, err := h.start(ctx, st.Run, q)
		switch {
		case err == nil:
			q.ExecutionID = id
			log.Info("streamquery: query started", "query", q.Name, "execution", id)
		case permanent(err):
			q.Error, q.lastErr = "could not start the query: "+apiMessage(err), err
		default:
			q.lastErr = err
			log.Warn("streamquery: query not started; trying again", "query", q.Name, "error", err.Error())
		}
	}
	for i := range st.Queries {
		q := &st.Queries[i]
		if q.Sent || ctx.Err() != nil || q.ExecutionID == "" && q.Error == "" {
			continue
		}
		if err := h.advance(ctx, st, q, sum, log); err != nil {
			q.lastErr = err
			log.Warn("streamquery: query result not sent yet; trying again", "query", q.Name, "execution", q.ExecutionID, "error", err.Error())
		}
	}
}

// advance checks one started query and sends its result once it has
// one.
func (h *Handler) advance(ctx context.Context, st *State, q *QueryState, sum *Summary, log *slog.Logger) error {
	if q.Error != "" {
		return h.deliver(ctx, q, &Result{Execution: h.execution(q, q.Error)}, sum, log)
	}
	s, err := h.status(ctx, q)
	if err != nil {
		if permanent(err) {
			q.Error = "could not read the query's status: " + apiMessage(err)
			return h.deliver(ctx, q, &Result{Execution: h.execution(q, q.Error)}, sum, log)
		}
		return err
	}
	q.status = s
	switch s.state {
	case types.QueryExecutionStateSucceeded:
		headers, rows, note, err := h.results(ctx, q)
		if err != nil {
			return err
		}
		return h.deliver(ctx, q, &Result{Execution: h.execution(q, note), Headers: headers, Rows: rows}, sum, log)
	case types.QueryExecutionStateFailed, types.QueryExecutionStateCancelled:
		reason := s.reason
		if reason == "" {
			reason = "the query ended " + strings.ToLower(string(s.state))
		}
		return h.deliver(ctx, q, &Result{Execution: h.execution(q, reason)}, sum, log)
	}
	return nil
}

// execution describes q as its record does; a non-empty problem becomes
// the execution's error.
func (h *Handler) execution(q *QueryState, problem string) Execution {
	e := Execution{
		Name: q.Name, Description: q.Description, Query: q.Query, QueryParameters: q.Params,
		DataScanned: q.status.scanned, ExecutionTimeMs: q.status.engineMilli, Tags: q.Tags,
		QueryExecutionID: q.ExecutionID, ConsoleLink: consoleLink(h.o.Region, q.ExecutionID),
	}
	if problem != "" {
		e.Error = &ExecutionError{Description: problem}
	}
	return e
}

// deliver puts a query's result on the stream and marks it sent. The
// partition key is the execution id, so the parts of a split result stay
// in order on one shard.
func (h *Handler) deliver(ctx context.Context, q *QueryState, res *Result, sum *Summary, log *slog.Logger) error {
	key := q.ExecutionID
	if key == "" {
		key = "unstarted-" + q.Name
	}
	recs, err := res.Records(key)
	if err != nil {
		return err
	}
	if err := h.put(ctx, key, recs); err != nil {
		return err
	}
	q.Sent = true
	sum.Sent++
	args := []any{"query", q.Name, "execution", q.ExecutionID, "rows", len(res.Rows), "records", len(recs)}
	if res.Execution.Error != nil {
		sum.Failed++
		log.Warn("streamquery: query result sent with an error", append(args, "error", res.Execution.Error.Description)...)
		return nil
	}
	log.Info("streamquery: query result sent", args...)
	return nil
}

// giveUp ends the wait for queries still running or not started when the
// run's time is up: running ones are stopped, and each gets an error its
// record will carry.
func (h *Handler) giveUp(ctx context.Context, st *State, log *slog.Logger) {
	limit := h.o.Config.Timeout
	for i := range st.Queries {
		q := &st.Queries[i]
		if q.Sent || q.Error != "" || q.status.finished() {
			continue
		}
		if q.ExecutionID == "" {
			q.Error = fmt.Sprintf("the query could not be started within %s (sfn_timeout_secs): %s", limit, errText(orNoReason(q.lastErr)))
			continue
		}
		q.Error = fmt.Sprintf("the query did not finish within %s (sfn_timeout_secs) and was stopped", limit)
		if err := h.stop(ctx, q); err != nil {
			q.Error = fmt.Sprintf("the query did not finish within %s (sfn_timeout_secs); stopping it failed: %s", limit, apiMessage(err))
		}
		log.Warn("streamquery: query given up on", "query", q.Name, "execution", q.ExecutionID, "timeout", limit.String())
	}
}

func orNoReason(err error) error {
	if err == nil {
		return fmt.Errorf("no reason given")
	}
	return err
}
