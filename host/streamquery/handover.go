package streamquery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

// LambdaAPI is the part of the Lambda client the function calls to hand
// over; *lambda.Client implements it.
type LambdaAPI interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// maxHandOverBytes is Lambda's limit on an asynchronous invocation's
// payload.
const maxHandOverBytes = 256 << 10

// handOver invokes the function itself, asynchronously, with the run's
// state, and returns: the next invocation goes on with the queries still
// running. The state of queries already sent keeps only their names and
// ids, which is all the next invocation needs of them.
func (h *Handler) handOver(ctx context.Context, ev Event, st *State, sum Summary, log *slog.Logger) (Summary, error) {
	if h.o.Lambda == nil || h.o.Function == "" {
		return sum, fmt.Errorf("streamquery: run %s: out of time with queries running, and no function to hand over to (AWS_LAMBDA_FUNCTION_NAME)", st.Run)
	}
	next := *st
	next.Handovers++
	next.Queries = make([]QueryState, len(st.Queries))
	for i, q := range st.Queries {
		if q.Sent {
			q = QueryState{Name: q.Name, ExecutionID: q.ExecutionID, Sent: true}
		} else {
			sum.Pending++
		}
		next.Queries[i] = q
	}
	payload, err := json.Marshal(Event{Configuration: ev.Configuration, State: &next})
	if err != nil {
		return sum, fmt.Errorf("streamquery: run %s: encode state: %w", st.Run, err)
	}
	if len(payload) > maxHandOverBytes {
		return sum, fmt.Errorf("streamquery: run %s: the state is %d bytes, over the %d an asynchronous invocation takes: split the pack", st.Run, len(payload), maxHandOverBytes)
	}
	in := &lambda.InvokeInput{FunctionName: aws.String(h.o.Function), InvocationType: lambdatypes.InvocationTypeEvent, Payload: payload}
	if h.o.Qualifier != "" {
		in.Qualifier = aws.String(h.o.Qualifier)
	}
	if _, err := h.o.Lambda.Invoke(ctx, in); err != nil {
		return sum, fmt.Errorf("streamquery: run %s: hand over to function %s: %w", st.Run, h.o.Function, err)
	}
	sum.HandedOver = true
	log.Info("streamquery: handed over", "pending", sum.Pending, "handovers", next.Handovers)
	return sum, nil
}

// apiMessage is an AWS error's code and message, without the SDK's
// operation wrapping.
func apiMessage(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode() + ": " + api.ErrorMessage()
	}
	return err.Error()
}
