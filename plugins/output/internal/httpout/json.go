package httpout

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// JSON encodes v without Go's HTML escaping of <, > and &, which vendors
// do not need and which makes payloads harder to read, and without the
// encoder's trailing newline.
func JSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode message: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// NewJSONRequest builds a request whose body is v as JSON, or which has no
// body when v is nil. It sets Content-Type for a body and Accept always.
func NewJSONRequest(ctx context.Context, method, url string, v any) (*http.Request, error) {
	var body io.Reader
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		// The error quotes the URL, which may hold a token.
		return nil, errors.New("build request failed")
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// Call sends req like Exchange and decodes a delivered JSON answer into
// out, when out is not nil. It returns the response (nil when the round
// trip failed) and nil, or the result to report when the request was not
// delivered. A delivered answer that is not JSON, such as a proxy's page
// under a 2xx, is retryable: the caller's requests are meant to be safe to
// repeat.
func (s *Sender) Call(req *http.Request, classify Classifier, out any) (*Response, *saplugin.SendResult) {
	resp, res := s.Exchange(req, classify)
	if res.Status != saplugin.Delivered {
		return resp, &res
	}
	if out != nil && json.Unmarshal(resp.Body, out) != nil {
		msg := fmt.Sprintf("HTTP %d with a body that is not JSON: %s", resp.Code, Quote(resp.Body))
		return resp, &saplugin.SendResult{Status: saplugin.Retryable, Message: s.Redact(msg)}
	}
	return resp, nil
}
