package awsout

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// MaxRetryAfter caps a wait a service asks for.
const MaxRetryAfter = 15 * time.Minute

// extraRetryableCodes are AWS error codes of passing conditions that the
// SDK's standard lists leave out: the services' own throttling and
// unavailability codes, and a Lambda function being updated or started.
var extraRetryableCodes = map[string]struct{}{
	"Throttled": {}, "KMSThrottling": {}, "KMSThrottlingException": {}, "KmsThrottled": {},
	"ServiceUnavailable": {}, "ServiceUnavailableException": {}, "Unavailable": {},
	"InternalError": {}, "InternalFailure": {}, "InternalServerError": {}, "InternalServiceError": {},
	"ServiceException": {}, "IDPCommunicationError": {},
	"ResourceConflictException": {}, "ResourceNotReadyException": {}, "SnapStartNotReadyException": {},
}

// Failure is an outcome decided without a service's answer: a payload over
// a limit, a publication that cannot be rendered.
type Failure struct {
	Status     saplugin.SendStatus
	Msg        string
	RetryAfter time.Duration
}

func (f *Failure) Error() string { return f.Msg }

// Permanentf returns a permanent Failure.
func Permanentf(format string, args ...any) error {
	return &Failure{Status: saplugin.Permanent, Msg: fmt.Sprintf(format, args...)}
}

// retryAfter carries a wait a service asked for in its error body.
type retryAfter struct {
	error
	wait time.Duration
}

func (r *retryAfter) Unwrap() error { return r.error }

// WithRetryAfter attaches to err a wait the service asked for in a way
// Classify cannot see, such as a field of the error body.
func WithRetryAfter(err error, wait time.Duration) error {
	if err == nil || wait <= 0 {
		return err
	}
	return &retryAfter{err, wait}
}

// Classify maps the error of an SDK call to an outcome. Throttling, 5xx,
// server faults, timeouts and failed connections are retryable, with any
// Retry-After the service sent; anything else the service refused (access
// denied, validation, not found, too large) is permanent. The message
// names the operation, the AWS error code and message, the HTTP status and
// the request id; it is neither masked nor shortened yet.
func Classify(err error, now time.Time) saplugin.SendResult {
	var f *Failure
	if errors.As(err, &f) {
		return saplugin.SendResult{Status: f.Status, Message: f.Msg, RetryAfter: f.RetryAfter}
	}
	op := innermostOperation(err)
	var api smithy.APIError
	if errors.As(err, &api) {
		return classifyAPI(err, api, op, now)
	}
	status := saplugin.Permanent
	if transient(err) {
		status = saplugin.Retryable
	}
	return saplugin.SendResult{Status: status, Message: prefix(op) + transportText(err)}
}

// classifyAPI classifies an error the service answered with.
func classifyAPI(err error, api smithy.APIError, op string, now time.Time) saplugin.SendResult {
	code := api.ErrorCode()
	var msg strings.Builder
	msg.WriteString(prefix(op) + code)
	if m := oneLine(api.ErrorMessage()); m != "" {
		msg.WriteString(": " + m)
	}
	httpStatus, requestID, header := 0, "", ""
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		httpStatus, requestID = re.HTTPStatusCode(), re.ServiceRequestID()
		if re.Response != nil {
			header = re.Response.Header.Get("Retry-After")
		}
	}
	switch {
	case httpStatus != 0 && requestID != "":
		fmt.Fprintf(&msg, " (HTTP %d, request id %s)", httpStatus, requestID)
	case httpStatus != 0:
		fmt.Fprintf(&msg, " (HTTP %d)", httpStatus)
	}
	res := saplugin.SendResult{Status: saplugin.Permanent, Message: msg.String()}
	if retryableAPI(code, httpStatus, api.ErrorFault()) {
		res.Status = saplugin.Retryable
		res.RetryAfter = httpout.RetryAfter(header, now, MaxRetryAfter)
		var ra *retryAfter
		if errors.As(err, &ra) {
			res.RetryAfter = max(res.RetryAfter, min(ra.wait, MaxRetryAfter))
		}
	}
	return res
}

// retryableAPI decides on an error answer.
func retryableAPI(code string, httpStatus int, fault smithy.ErrorFault) bool {
	// Query-compatible services prefix codes: AWS.SimpleQueueService.X.
	if i := strings.LastIndexByte(code, '.'); i >= 0 {
		code = code[i+1:]
	}
	for _, codes := range []map[string]struct{}{retry.DefaultThrottleErrorCodes, retry.DefaultRetryableErrorCodes, extraRetryableCodes} {
		if _, ok := codes[code]; ok {
			return true
		}
	}
	return httpStatus >= 500 || httpStatus == 429 || httpStatus == 408 || fault == smithy.FaultServer
}

// transient reports whether an error without a service answer may pass:
// a timeout, a cancelled call, a failed connection.
func transient(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	if (retry.RetryableConnectionError{}).IsErrorRetryable(err) == aws.TrueTernary {
		return true
	}
	var send *smithyhttp.RequestSendError
	var ne net.Error
	return errors.As(err, &send) || errors.As(err, &ne)
}

// innermostOperation names the deepest SDK operation in err: a role that
// could not be assumed fails the service call, but the cause is STS's.
func innermostOperation(err error) string {
	name := ""
	for {
		var oe *smithy.OperationError
		if !errors.As(err, &oe) {
			return name
		}
		name, err = oe.Service()+" "+oe.Operation(), oe.Err
	}
}

func prefix(op string) string {
	if op == "" {
		return ""
	}
	return op + ": "
}

// transportText describes an error without a service answer, without the
// SDK's "operation error" preamble, which the prefix replaces.
func transportText(err error) string {
	var oe *smithy.OperationError
	for errors.As(err, &oe) {
		err = oe.Err
	}
	return oneLine(err.Error())
}

// oneLine renders text as one printable line. It does not shorten it:
// that is left until secrets are masked, so a cut cannot split a secret
// and leave part of it unmasked.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.TrimSpace(strings.Join(strings.FieldsFunc(s, unicode.IsControl), " "))
}

// maxMessage bounds a result's message, in bytes.
const maxMessage = 1024

// clip cuts a masked message to maxMessage bytes at a rune boundary,
// marking the cut with "...".
func clip(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	cut := maxMessage - 3
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
