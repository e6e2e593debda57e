package appkit

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"
)

// Retry and body limits.
const (
	baseBackoff     = 500 * time.Millisecond
	maxBackoff      = 30 * time.Second
	maxRateWaits    = 8
	defaultMaxBody  = 64 << 20
	maxErrorBody    = 64 << 10
	maxDrainedBytes = 64 << 10
)

// Request is one vendor call. Body is sent again on each retry.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// Prepare is called on every attempt, after the headers are set, to
	// sign or authorize it (a signature over a fresh Date header).
	Prepare func(*http.Request) error
	// MaxBody bounds the response body Do reads (64 MiB).
	MaxBody int64
	// NoRetry sends the request once, whatever the outcome.
	NoRetry bool
}

// Response is a vendor's 2xx answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// URL is the URL finally answered, after same-host redirects.
	URL *url.URL
}

// JSON decodes the body into v. The error never quotes the body.
func (r *Response) JSON(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("decode %s response: %s", r.URL.Path, jsonProblem(err))
	}
	return nil
}

// jsonProblem describes a decoding error without the value it choked on.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q holds a JSON %s, not the expected type", te.Field, te.Value)
	}
	return "invalid JSON"
}

// Do sends req and returns the vendor's 2xx answer. 5xx, 408 and 425
// answers, timeouts and connection errors are retried with jittered
// backoff; a rate-limit refusal is retried after the vendor's wait when it
// fits the budget. Other answers come back as *HTTPError. When the budget
// is spent the error wraps ErrOutOfBudget.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	hr, err := c.call(ctx, req)
	if err != nil {
		return nil, err
	}
	defer hr.Body.Close()
	limit := req.MaxBody
	if limit <= 0 {
		limit = defaultMaxBody
	}
	body, err := io.ReadAll(io.LimitReader(hr.Body, limit+1))
	if err != nil {
		return nil, c.transportError(req.Method, hr.Request.URL, fmt.Errorf("read response: %w", err))
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%s %s: response larger than %d bytes", req.Method, hr.Request.URL.Path, limit)
	}
	return &Response{Status: hr.StatusCode, Header: hr.Header, Body: body, URL: hr.Request.URL}, nil
}

// Open is Do for a large body read as a stream: the caller reads and
// closes the returned response's Body.
func (c *Client) Open(ctx context.Context, req Request) (*http.Response, error) {
	return c.call(ctx, req)
}

// call runs the attempts of req and returns the first 2xx response with
// its body unread.
func (c *Client) call(ctx context.Context, req Request) (*http.Response, error) {
	attempt, rateWaits := 1, 0
	for {
		if err := c.waitTurn(ctx); err != nil {
			return nil, err
		}
		hr, u, err := c.send(ctx, req)
		if err != nil {
			if ctx.Err() != nil || !c.opts.Budget.Fits(0) {
				return nil, c.stopped(ctx, err)
			}
			if err := c.retry(ctx, req, &attempt, c.transportError(req.Method, u, err)); err != nil {
				return nil, err
			}
			continue
		}
		resp := &Response{Status: hr.StatusCode, Header: hr.Header, URL: hr.Request.URL}
		if hr.StatusCode >= 300 {
			resp.Body, _ = io.ReadAll(io.LimitReader(hr.Body, maxErrorBody))
			drain(hr)
		}
		wait, refused := c.rateLimit(resp)
		if refused {
			rateWaits++
			if err := c.rateWait(ctx, req, resp, wait, rateWaits); err != nil {
				return nil, err
			}
			continue
		}
		if wait > 0 {
			c.SetPause(time.Now().Add(wait))
		}
		if hr.StatusCode >= 200 && hr.StatusCode < 300 {
			return hr, nil
		}
		herr := c.httpError(req.Method, resp)
		if !retryableStatus(hr.StatusCode) {
			return nil, herr
		}
		if err := c.retry(ctx, req, &attempt, herr); err != nil {
			return nil, err
		}
	}
}

// send makes one attempt.
func (c *Client) send(ctx context.Context, req Request) (*http.Response, *url.URL, error) {
	u, err := url.Parse(req.URL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, nil, fmt.Errorf("%s: not an https URL", req.Method)
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Settings.Timeout)
	hr, err := http.NewRequestWithContext(ctx, req.Method, u.String(), bytes.NewReader(req.Body))
	if err != nil {
		cancel()
		return nil, u, err
	}
	for k, v := range req.Header {
		hr.Header[k] = v
	}
	if c.opts.UserAgent != "" {
		hr.Header.Set("User-Agent", c.opts.UserAgent)
	}
	if req.Prepare != nil {
		if err := req.Prepare(hr); err != nil {
			cancel()
			return nil, u, permanent{err}
		}
	}
	start := time.Now()
	c.mu.Lock()
	c.lastStart = start
	c.mu.Unlock()
	resp, err := c.hc.Do(hr)
	c.opts.Budget.Observe(time.Since(start))
	if err != nil {
		cancel()
		if badCertificate(err) {
			err = permanent{err} // retrying will not make the certificate valid
		}
		return nil, u, err
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, u, nil
}

// badCertificate reports a TLS verification failure.
func badCertificate(err error) bool {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	return errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci)
}

// permanent marks an error that retrying cannot fix.
type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// cancelBody ends the attempt's context when the body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

func drain(hr *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(hr.Body, maxDrainedBytes))
	hr.Body.Close()
}

func retryableStatus(code int) bool {
	return code >= 500 || code == http.StatusRequestTimeout || code == http.StatusTooEarly
}

// retry waits before attempt+1, or returns cause when attempts are spent
// or the request may not be retried, and ErrOutOfBudget when the backoff
// does not fit the budget.
func (c *Client) retry(ctx context.Context, req Request, attempt *int, cause error) error {
	var p permanent
	if req.NoRetry || *attempt >= c.opts.MaxAttempts || errors.As(cause, &p) {
		return cause
	}
	wait := backoff(*attempt)
	if !c.opts.Budget.Fits(wait) {
		// The next poll retries with a fresh budget.
		return fmt.Errorf("%w: no time left to retry %s", ErrOutOfBudget, cause.Error())
	}
	c.log.Info("retrying vendor call", "method", req.Method, "attempt", *attempt+1, "wait", wait.String(), "error", cause.Error())
	*attempt++
	return sleep(ctx, wait)
}

// backoff is the jittered wait before attempt n+1: half to all of
// 500ms·2^(n-1), capped at 30s.
func backoff(n int) time.Duration {
	d := min(baseBackoff<<min(n-1, 16), maxBackoff)
	return d/2 + rand.N(d/2+1)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// stopped explains why a call ended early: the budget, or the caller.
func (c *Client) stopped(ctx context.Context, err error) error {
	if !c.opts.Budget.Fits(0) {
		return fmt.Errorf("%w: a vendor call was cut off at the deadline", ErrOutOfBudget)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// transportError describes a failed round trip by method, path and cause;
// *url.Error would quote the whole URL, query included.
func (c *Client) transportError(method string, u *url.URL, err error) error {
	var p permanent
	isPermanent := errors.As(err, &p)
	if isPermanent {
		err = p.error
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	path := ""
	if u != nil {
		path = " " + u.Path
	}
	out := fmt.Errorf("%s%s: %s", method, c.Redact(path), c.Redact(err.Error()))
	if isPermanent {
		return permanent{out}
	}
	return out
}

func (c *Client) httpError(method string, r *Response) *HTTPError {
	text := ""
	if c.opts.ErrorText != nil {
		text = c.opts.ErrorText(r.Body)
	}
	if text == "" {
		text = Quote(r.Body)
	}
	if r.Status >= 300 && r.Status < 400 {
		text = "redirect to another host or too many redirects; not followed"
	}
	return &HTTPError{Method: method, Path: c.Redact(r.URL.Path), Status: r.Status, Text: c.Redact(Quote([]byte(text))),
		Header: r.Header, body: r.Body}
}
