// Package lambdaout is what sa's aws-lambda and aws-lambda-v2 outputs
// share: the asynchronous invocation of a function with the alert. It is
// apart from awsout so that the other AWS outputs do not link the Lambda
// client.
package lambdaout

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
)

// PayloadField overrides the payload, in both Lambda outputs.
const PayloadField = "@aws-lambda.alert_data"

// Target is one configured function.
type Target struct {
	Client   *lambda.Client
	Function awsout.Function
}

// New returns the target of fn with a client of cfg.
func New(cfg aws.Config, fn awsout.Function) *Target {
	return &Target{Client: lambda.NewFromConfig(cfg), Function: fn}
}

// Deliver invokes the function asynchronously (InvocationType Event) with
// @aws-lambda.alert_data, by default the alert's record, as compact JSON.
func Deliver(ctx context.Context, t *Target, in awsout.Input) (string, error) {
	payload := in.FieldOr(PayloadField, in.Record())
	if err := awsout.CheckSize("payload", len(payload), awsout.LambdaEventLimit, "Lambda asynchronous invocation"); err != nil {
		return "", err
	}
	input := &lambda.InvokeInput{
		FunctionName:   aws.String(t.Function.Name),
		InvocationType: types.InvocationTypeEvent,
		Payload:        payload,
	}
	if t.Function.Qualifier != "" {
		input.Qualifier = aws.String(t.Function.Qualifier)
	}
	out, err := t.Client.Invoke(ctx, input)
	if err != nil {
		return "", withRetryAfter(err)
	}
	return fmt.Sprintf("invocation queued (HTTP %d)", out.StatusCode), nil
}

// withRetryAfter carries the wait a throttled invocation names in its
// body (retryAfterSeconds) beside any Retry-After header.
func withRetryAfter(err error) error {
	var tm *types.TooManyRequestsException
	if !errors.As(err, &tm) || tm.RetryAfterSeconds == nil {
		return err
	}
	secs, perr := strconv.Atoi(*tm.RetryAfterSeconds)
	if perr != nil || secs <= 0 {
		return err
	}
	return awsout.WithRetryAfter(err, time.Duration(secs)*time.Second)
}
