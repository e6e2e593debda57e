package appkit

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// epochFloor separates a reset header holding a Unix time from one
// holding a number of seconds: no delay is 30 years long.
const epochFloor = 1e9

// RateLimitFunc reads a vendor's rate-limit signals from a response (its
// Body is set only for non-2xx answers). refused means the request was
// turned away and is to be retried after wait (zero: the client's
// backoff); a non-refused response with a wait pauses the client until
// then, for a vendor that announces its quota is spent.
type RateLimitFunc func(r *Response, now time.Time) (wait time.Duration, refused bool)

// RetryAfterLimit is the default: 429 is a refusal, Retry-After the wait.
func RetryAfterLimit(r *Response, now time.Time) (time.Duration, bool) {
	return RetryAfter(r.Header.Get("Retry-After"), now), r.Status == http.StatusTooManyRequests
}

// HeaderLimit returns a RateLimitFunc for vendors that send their quota in
// headers: 429 is a refusal, retried after Retry-After or else the reset
// header; a 2xx whose remaining header says 0 pauses until the reset.
// Reset values may be Unix times or seconds to wait.
func HeaderLimit(remaining, reset string) RateLimitFunc {
	return func(r *Response, now time.Time) (time.Duration, bool) {
		if r.Status == http.StatusTooManyRequests {
			if d := RetryAfter(r.Header.Get("Retry-After"), now); d > 0 {
				return d, true
			}
			return ResetWait(r.Header.Get(reset), now), true
		}
		if strings.TrimSpace(r.Header.Get(remaining)) == "0" {
			return ResetWait(r.Header.Get(reset), now), false
		}
		return 0, false
	}
}

// RetryAfter parses a Retry-After value (delay-seconds or an HTTP-date)
// into a wait; absent, past or unparsable values give zero.
func RetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		return secondsWait(n)
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	return until(at, now)
}

// ResetWait parses a rate-limit reset value: a Unix time in seconds, or a
// number of seconds to wait.
func ResetWait(v string, now time.Time) time.Duration {
	n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return 0
	}
	if n >= epochFloor {
		return until(time.Unix(int64(n), 0), now)
	}
	return secondsWait(n)
}

func secondsWait(n float64) time.Duration {
	if n <= 0 || n != n {
		return 0
	}
	if n > float64(365*24*3600) {
		n = 365 * 24 * 3600
	}
	return time.Duration(n * float64(time.Second))
}

// until is the wait from now to at, rounded up to whole seconds, never
// negative: a reset second has begun, not ended.
func until(at, now time.Time) time.Duration {
	return max(0, (at.Sub(now) + time.Second - 1).Truncate(time.Second))
}

// rateLimit applies the configured RateLimitFunc.
func (c *Client) rateLimit(r *Response) (time.Duration, bool) {
	f := c.opts.RateLimit
	if f == nil {
		f = RetryAfterLimit
	}
	return f(r, time.Now())
}

// rateWait waits out a rate-limit refusal before the request is sent
// again, within the budget.
func (c *Client) rateWait(ctx context.Context, req Request, r *Response, wait time.Duration, n int) error {
	if n > maxRateWaits {
		return c.httpError(req.Method, r)
	}
	if wait <= 0 {
		wait = backoff(n)
	}
	c.log.Info("vendor rate limit; waiting", "method", req.Method, "status", r.Status, "wait", wait.String())
	c.SetPause(time.Now().Add(wait))
	return c.waitTurn(ctx)
}

// SetPause holds every request until t (a vendor's announced reset).
func (c *Client) SetPause(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.pause) {
		c.pause = t
	}
}

// Pause is when requests may resume, for a plugin to keep across polls.
func (c *Client) Pause() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pause
}

// waitTurn waits for the pause and the minimum interval between requests.
func (c *Client) waitTurn(ctx context.Context) error {
	c.mu.Lock()
	at := c.pause
	if c.opts.MinInterval > 0 && !c.lastStart.IsZero() {
		at = later(at, c.lastStart.Add(c.opts.MinInterval))
	}
	c.mu.Unlock()
	return c.Wait(ctx, time.Until(at), "vendor rate limit")
}

// Wait sleeps d when it fits the budget. When it does not, it sleeps what
// is left of the budget, so a poll polled again at once does not call a
// vendor that asked to be left alone, and returns ErrOutOfBudget.
func (c *Client) Wait(ctx context.Context, d time.Duration, why string) error {
	if d <= 0 {
		return nil
	}
	if c.opts.Budget.Fits(d) {
		return sleep(ctx, d)
	}
	if err := sleep(ctx, c.opts.Budget.Remaining()); err != nil && ctx.Err() != nil && c.opts.Budget.Fits(0) {
		return err
	}
	return fmt.Errorf("%w: %s asks for a %s wait", ErrOutOfBudget, why, d.Round(time.Second))
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
