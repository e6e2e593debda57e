package awsfake

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// protocolKind is one of the wire protocols the fake speaks.
type protocolKind int

const (
	jsonRPC protocolKind = iota
	queryProtocol
	restJSON
)

// protocol is how one service is spoken to.
type protocol struct {
	kind protocolKind
	// JSON RPC: content type, X-Amz-Target prefix, error type namespace,
	// and whether errors also carry the legacy query code.
	contentType     string
	targetPrefix    string
	namespace       string
	queryCompatible bool
	// Query: the XML namespace and API version.
	xmlns, version string
}

// protocols maps signing names to the protocols of the services.
var protocols = map[string]protocol{
	"sqs": {kind: jsonRPC, contentType: "application/x-amz-json-1.0", targetPrefix: "AmazonSQS.",
		namespace: "com.amazonaws.sqs", queryCompatible: true},
	"firehose": {kind: jsonRPC, contentType: "application/x-amz-json-1.1", targetPrefix: "Firehose_20150804."},
	"logs":     {kind: jsonRPC, contentType: "application/x-amz-json-1.1", targetPrefix: "Logs_20140328."},
	"sns":      {kind: queryProtocol, xmlns: "http://sns.amazonaws.com/doc/2010-03-31/", version: "2010-03-31"},
	"sts":      {kind: queryProtocol, xmlns: "https://sts.amazonaws.com/doc/2011-06-15/", version: "2011-06-15"},
	"lambda":   {kind: restJSON},
	"ses":      {kind: restJSON},
}

// protocolOf returns the protocol of a signing name; an unknown one is
// answered in REST-JSON, with an error.
func protocolOf(service string) protocol {
	if p, ok := protocols[service]; ok {
		return p
	}
	return protocol{kind: restJSON}
}

// The REST routes the fake serves.
var (
	invokeRoute = regexp.MustCompile(`^/2015-03-31/functions/([^/]+)/invocations$`)
	sendRoute   = "/v2/email/outbound-emails"
)

// decode checks the request's framing for its protocol, names the
// operation and decodes the body into c.
func (p protocol) decode(r *http.Request, c *Call) (string, *apiError) {
	if _, ok := protocols[c.Service]; !ok {
		return "", &apiError{status: 400, code: "UnknownService", msg: "no such service: " + c.Service}
	}
	if r.Method != http.MethodPost {
		return "", &apiError{status: 405, code: "MethodNotAllowed", msg: "only POST is served"}
	}
	switch p.kind {
	case jsonRPC:
		return p.decodeJSONRPC(r, c)
	case queryProtocol:
		return p.decodeQuery(r, c)
	}
	return decodeREST(r, c)
}

func (p protocol) decodeJSONRPC(r *http.Request, c *Call) (string, *apiError) {
	if r.URL.Path != "/" || r.Header.Get("Content-Type") != p.contentType {
		return "", &apiError{status: 400, code: "SerializationException", msg: "want POST / with Content-Type " + p.contentType}
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), p.targetPrefix)
	if !ok || op == "" {
		return "", &apiError{status: 400, code: "UnknownOperationException", msg: "X-Amz-Target does not name an operation"}
	}
	if err := decodeObject(c.Body, &c.JSON); err != nil {
		return "", err
	}
	return op, nil
}

func (p protocol) decodeQuery(r *http.Request, c *Call) (string, *apiError) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.URL.Path != "/" || mt != "application/x-www-form-urlencoded" {
		return "", &apiError{status: 400, code: "MalformedInput", msg: "want a form POST to /"}
	}
	form, err := url.ParseQuery(string(c.Body))
	if err != nil {
		return "", &apiError{status: 400, code: "MalformedInput", msg: "body is not a form"}
	}
	c.Form = form
	if form.Get("Version") != p.version {
		return "", &apiError{status: 400, code: "InvalidParameterValue", msg: "Version must be " + p.version}
	}
	if form.Get("Action") == "" {
		return "", &apiError{status: 400, code: "MissingAction", msg: "Action is missing"}
	}
	return form.Get("Action"), nil
}

func decodeREST(r *http.Request, c *Call) (string, *apiError) {
	switch {
	case c.Service == "lambda" && invokeRoute.MatchString(r.URL.Path):
		// The payload is whatever the caller sends; keep JSON decoded.
		_ = json.Unmarshal(c.Body, &c.JSON)
		return "Invoke", nil
	case c.Service == "ses" && r.URL.Path == sendRoute:
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
			return "", &apiError{status: 400, code: "BadRequestException", msg: "Content-Type must be application/json"}
		}
		if err := decodeObject(c.Body, &c.JSON); err != nil {
			return "", err
		}
		return "SendEmail", nil
	}
	return "", &apiError{status: 404, code: "UnknownOperationException", msg: "no route for " + r.URL.Path}
}

func decodeObject(body []byte, into *map[string]any) *apiError {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(into); err != nil || *into == nil {
		return &apiError{status: 400, code: "SerializationException", msg: "body is not a JSON object"}
	}
	return nil
}

// reply is a success answer before protocol rendering.
type reply struct {
	status int
	// json is the body of JSON and REST-JSON answers; nil for none.
	json any
	// xml is the inner XML of a query answer's <Op>Result element.
	xml    string
	header map[string]string
}

// write renders a success answer to op in protocol p.
func (s *Server) write(w http.ResponseWriter, p protocol, op string, r reply) {
	id := s.nextRequestID()
	w.Header().Set("X-Amzn-RequestId", id)
	for k, v := range r.header {
		w.Header().Set(k, v)
	}
	status := r.status
	if status == 0 {
		status = http.StatusOK
	}
	switch p.kind {
	case queryProtocol:
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`<` + op + `Response xmlns="` + p.xmlns + `"><` + op + `Result>` + r.xml + `</` + op +
			`Result><ResponseMetadata><RequestId>` + id + `</RequestId></ResponseMetadata></` + op + `Response>`))
		return
	case restJSON:
		if r.json != nil {
			w.Header().Set("Content-Type", "application/json")
		}
	default:
		w.Header().Set("Content-Type", p.contentType)
	}
	w.WriteHeader(status)
	if r.json != nil {
		_ = json.NewEncoder(w).Encode(r.json)
	}
}

// Get walks the decoded JSON body along keys and returns the value there.
func (c Call) Get(keys ...string) any {
	var v any = c.JSON
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// String is Get for a string value; "" when absent or not a string.
func (c Call) String(keys ...string) string {
	s, _ := c.Get(keys...).(string)
	return s
}
