package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// apiVersion is the GitHub REST API version the requests are written for.
const apiVersion = "2022-11-28"

// defaultRateLimitWait is GitHub's advice when a secondary rate limit
// gives no Retry-After: wait at least a minute.
const defaultRateLimitWait = time.Minute

// issue is the create-issue request body.
type issue struct {
	Title  string   `json:"title"`
	Body   string   `json:"body"`
	Labels []string `json:"labels"`
}

// Send implements saplugin.Output: POST {api}/repos/{owner}/{repo}/issues.
func (g *GitHub) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	t, fail := g.Target(req)
	if fail != nil {
		return *fail
	}
	in, err := httpout.Decode(req)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "github: " + err.Error()}
	}
	body, err := json.Marshal(render(in, t.labels))
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "github: encode issue: " + err.Error()}
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, t.issues.String(), bytes.NewReader(body))
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: t.Redact("github: build request: " + err.Error())}
	}
	h := httpReq.Header
	h.Set("Accept", "application/vnd.github+json")
	h.Set("Authorization", "Bearer "+t.token.Reveal())
	h.Set("X-GitHub-Api-Version", apiVersion)
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", userAgent)
	res := t.Do(httpReq, func(r *httpout.Response) saplugin.SendResult { return classify(r, g.Now()) })
	g.LogSend(req.Instance, res, "alert", in.Alert.ID)
	return res
}

// render builds the issue as StreamAlert's GithubOutput: @github.title
// (default "StreamAlert: <rule>") and @github.body (default: the rule
// description and the record as sorted, indented JSON in a code block).
func render(in httpout.Input, labels []string) issue {
	def := fmt.Sprintf("### Description\n%s\n\n### Event data\n\n```\n%s\n```", in.Alert.RuleDescription, httpout.PyJSON(in.Alert.Record, 2))
	return issue{
		Title:  in.String("@github.title", "StreamAlert: "+in.Alert.RuleName),
		Body:   in.String("@github.body", def),
		Labels: labels,
	}
}

// apiError is GitHub's error body.
type apiError struct {
	Message string `json:"message"`
	Errors  []struct {
		Resource string `json:"resource"`
		Field    string `json:"field"`
		Code     string `json:"code"`
		Message  string `json:"message"`
	} `json:"errors"`
}

// classify reads GitHub's answer: 201 with the issue; rate limits as 403
// or 429 with x-ratelimit-remaining: 0 (wait for x-ratelimit-reset) or
// with Retry-After (secondary limits); other 4xx permanent with GitHub's
// message; 5xx retryable.
func classify(r *httpout.Response, now time.Time) saplugin.SendResult {
	if r.Code == http.StatusCreated || r.Code == http.StatusOK {
		var created struct {
			Number int `json:"number"`
		}
		_ = json.Unmarshal(r.Body, &created)
		return saplugin.SendResult{Status: saplugin.Delivered, Message: fmt.Sprintf("HTTP %d: created issue #%d", r.Code, created.Number)}
	}
	text := errorText(r.Body)
	if r.Code == http.StatusForbidden || r.Code == http.StatusTooManyRequests {
		if wait, limited := rateLimited(r, text, now); limited {
			return saplugin.SendResult{Status: saplugin.Retryable, Message: fmt.Sprintf("HTTP %d: %s", r.Code, text), RetryAfter: wait}
		}
	}
	return httpout.ClassifyText(r.Code, text)
}

// rateLimited reports whether a 403 or 429 is a rate limit, and how long
// GitHub asks to wait.
func rateLimited(r *httpout.Response, text string, now time.Time) (time.Duration, bool) {
	if d := httpout.RetryAfter(r.Header.Get("Retry-After"), now, maxRetryAfter); d > 0 {
		return d, true
	}
	if r.Header.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(r.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(httpout.Until(time.Unix(reset, 0), now, maxRetryAfter), time.Second), true
		}
		return defaultRateLimitWait, true
	}
	if r.Code == http.StatusTooManyRequests || strings.Contains(strings.ToLower(text), "rate limit") {
		return defaultRateLimitWait, true
	}
	return 0, false
}

// errorText is GitHub's message with its validation errors, or the quoted
// body when it is not GitHub's JSON.
func errorText(body []byte) string {
	var e apiError
	if json.Unmarshal(body, &e) != nil || e.Message == "" {
		return httpout.Quote(body)
	}
	var details []string
	for _, d := range e.Errors {
		switch {
		case d.Message != "":
			details = append(details, d.Message)
		case d.Field != "":
			details = append(details, fmt.Sprintf("%s.%s %s", d.Resource, d.Field, d.Code))
		}
	}
	if len(details) == 0 {
		return httpout.Quote([]byte(e.Message))
	}
	return httpout.Quote([]byte(e.Message + " (" + strings.Join(details, "; ") + ")"))
}
