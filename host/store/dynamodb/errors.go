package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/streamalert-go/sa/host/store"
)

// wrap adds the operation and marks failures of DynamoDB itself as
// unavailable.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", op, classify(err))
}

// transient are the error codes of a call that may pass if made again:
// throttling, capacity, a transaction that raced another, a server fault.
var transient = []string{
	"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
	"TransactionConflictException", "TransactionInProgressException", "InternalServerError",
	"ServiceUnavailable", "LimitExceededException",
}

// classify marks transient failures, and failures that never reached
// DynamoDB (the network, a cancelled context aside), with
// store.ErrUnavailable. A cancelled transaction is transient unless a
// condition failed: conflicts are the caller's to handle.
func classify(err error) error {
	if errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
		return err
	}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		if conditionFailed(err) {
			return err
		}
		return store.Unavailable(err)
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		if slices.Contains(transient, api.ErrorCode()) {
			return store.Unavailable(err)
		}
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return store.Unavailable(err)
}

// conditionFailed reports whether a write failed on its condition: a
// ConditionalCheckFailedException, or a transaction cancelled because an
// item's condition failed.
func conditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return true
	}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		for _, r := range tce.CancellationReasons {
			if r.Code != nil && *r.Code == "ConditionalCheckFailed" {
				return true
			}
		}
	}
	return false
}

// invalid marks a request that can never succeed as made.
func invalid(err error) error { return invalidError{err} }

type invalidError struct{ err error }

func (e invalidError) Error() string        { return e.err.Error() }
func (e invalidError) Unwrap() error        { return e.err }
func (e invalidError) Is(target error) bool { return target == store.ErrInvalid }

func invalidf(format string, args ...any) error { return invalid(fmt.Errorf(format, args...)) }
