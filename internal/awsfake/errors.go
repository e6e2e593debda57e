package awsfake

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
)

// Fault is an error a test makes the server answer with.
type Fault int

// The faults, each rendered as the service documents it.
const (
	// Throttle is the service's throttling error (retryable).
	Throttle Fault = 1 << iota
	// ServerError is an internal error with status 500 (retryable).
	ServerError
	// AccessDenied refuses the caller (permanent).
	AccessDenied

	persistent Fault = 1 << 16
)

func (f Fault) String() string {
	switch f {
	case 0:
		return "none"
	case Throttle:
		return "throttle"
	case ServerError:
		return "server error"
	case AccessDenied:
		return "access denied"
	}
	return "fault(" + strconv.Itoa(int(f)) + ")"
}

// apiError is an error answer before protocol rendering.
type apiError struct {
	status int
	code   string
	msg    string
	// header adds response headers (Retry-After).
	header map[string]string
	// extra adds members to a JSON error body.
	extra map[string]any
	// queryCode is the legacy code a query-compatible service sends in
	// X-Amzn-Query-Error, when it differs from code.
	queryCode string
}

// faultError is the error a service answers a fault with: the codes and
// statuses of each service's API reference.
func faultError(service string, f Fault) apiError {
	switch f {
	case Throttle:
		return throttleError(service)
	case ServerError:
		switch service {
		case "firehose", "logs":
			return apiError{status: 500, code: "ServiceUnavailableException", msg: "The service is unavailable. Back off and retry the operation."}
		case "lambda":
			return apiError{status: 500, code: "ServiceException", msg: "The AWS Lambda service encountered an internal error."}
		case "sns", "sts":
			return apiError{status: 500, code: "InternalFailure", msg: "The request processing has failed because of an unknown error."}
		}
		return apiError{status: 500, code: "InternalFailure", msg: "We encountered an internal error. Please try again."}
	}
	switch service {
	case "sns":
		return apiError{status: 403, code: "AuthorizationError", msg: "User: arn:aws:iam::" + Account + ":user/sa is not authorized to perform: SNS:Publish"}
	case "sts":
		return apiError{status: 403, code: "AccessDenied", msg: "User: arn:aws:iam::" + Account + ":user/sa is not authorized to perform: sts:AssumeRole"}
	case "sqs":
		return apiError{status: 403, code: "AccessDenied", msg: "Access to the resource is denied."}
	}
	return apiError{status: 403, code: "AccessDeniedException", msg: "User: arn:aws:iam::" + Account + ":user/sa is not authorized to perform this action"}
}

func throttleError(service string) apiError {
	switch service {
	case "sqs":
		return apiError{status: 400, code: "RequestThrottled", msg: "Request is throttled."}
	case "firehose":
		return apiError{status: 500, code: "ServiceUnavailableException", msg: "Slow down."}
	case "sns":
		return apiError{status: 429, code: "Throttled", msg: "Rate exceeded"}
	case "sts":
		return apiError{status: 400, code: "Throttling", msg: "Rate exceeded"}
	case "lambda":
		return apiError{status: 429, code: "TooManyRequestsException", msg: "Rate Exceeded.",
			header: map[string]string{"Retry-After": "7"},
			extra:  map[string]any{"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded", "retryAfterSeconds": "7"}}
	case "ses":
		return apiError{status: 429, code: "TooManyRequestsException", msg: "Maximum sending rate exceeded."}
	}
	return apiError{status: 400, code: "ThrottlingException", msg: "Rate exceeded"}
}

// writeError renders e in protocol p.
func (s *Server) writeError(w http.ResponseWriter, p protocol, e apiError) {
	id := s.nextRequestID()
	w.Header().Set("X-Amzn-RequestId", id)
	for k, v := range e.header {
		w.Header().Set(k, v)
	}
	switch p.kind {
	case queryProtocol:
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(e.status)
		_ = xml.NewEncoder(w).Encode(queryError{XMLNS: p.xmlns, Type: fault(e.status), Code: e.code, Message: e.msg, RequestID: id})
	case restJSON:
		body := map[string]any{"message": e.msg, "Type": "User"}
		for k, v := range e.extra {
			body[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-ErrorType", e.code)
		w.WriteHeader(e.status)
		_ = json.NewEncoder(w).Encode(body)
	default:
		typ := e.code
		if p.namespace != "" {
			typ = p.namespace + "#" + e.code
		}
		if p.queryCompatible {
			qc := e.code
			if e.queryCode != "" {
				qc = e.queryCode
			}
			w.Header().Set("X-Amzn-Query-Error", qc+";"+fault(e.status))
		}
		w.Header().Set("Content-Type", p.contentType)
		w.WriteHeader(e.status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": e.msg})
	}
}

// queryError is the query protocol's error document.
type queryError struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	XMLNS     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

// fault is who is to blame, as the query protocol says it.
func fault(status int) string {
	if status >= 500 {
		return "Receiver"
	}
	return "Sender"
}
