package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
)

// tokenMargin is how long before its expiry a token is no longer used.
const tokenMargin = 5 * time.Minute

// tokenSource obtains and refreshes one instance's access token.
type tokenSource struct {
	app      *App
	client   *appkit.Client
	sa       *serviceAccount
	subject  string
	cacheKey string
}

// newTokenSource prepares the token exchange of an instance. The cache key
// covers the credentials, so a changed key file never uses an old token.
func (a *App) newTokenSource(client *appkit.Client, keyfile, subject string) (*tokenSource, error) {
	sa, err := parseKeyFile(keyfile)
	if err != nil {
		return nil, fmt.Errorf("%s %w", propKeyfile, err)
	}
	sum := sha256.Sum256([]byte(keyfile + "\x00" + subject))
	return &tokenSource{app: a, client: client, sa: sa, subject: subject, cacheKey: hex.EncodeToString(sum[:])}, nil
}

// get returns a valid access token: the cached one, or a new one.
func (s *tokenSource) get(ctx context.Context) (string, error) {
	if tok, ok := s.app.tokens.Get(s.cacheKey, s.app.Spec.Now().Add(tokenMargin)); ok {
		s.client.AddSecret(tok)
		return tok, nil
	}
	return s.refresh(ctx)
}

// forget drops the cached token, after the API refused it.
func (s *tokenSource) forget() { s.app.tokens.Forget(s.cacheKey) }

// refresh exchanges a new assertion for an access token.
func (s *tokenSource) refresh(ctx context.Context) (string, error) {
	now := s.app.Spec.Now()
	assertion, err := s.sa.assertion(s.subject, now)
	if err != nil {
		return "", err
	}
	s.client.AddSecret(assertion)
	form := url.Values{"grant_type": {jwtBearerGrant}, "assertion": {assertion}}
	resp, err := s.client.Do(ctx, appkit.Request{
		Method: http.MethodPost, URL: s.sa.tokenURI, Body: []byte(form.Encode()),
		Header:  http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}},
		MaxBody: 1 << 20,
	})
	if err != nil {
		return "", fmt.Errorf("get access token: %w", err)
	}
	tok, life, err := s.client.BearerToken(resp)
	if err != nil {
		return "", fmt.Errorf("get access token: %w", err)
	}
	s.app.tokens.Put(s.cacheKey, tok, now.Add(life))
	return tok, nil
}

// errorText reads Google's error bodies: the APIs' {"error": {"message",
// "status"}} and the token endpoint's {"error", "error_description"}.
func errorText(body []byte) string {
	var api struct {
		Error json.RawMessage `json:"error"`
		Desc  string          `json:"error_description"`
	}
	if json.Unmarshal(body, &api) != nil || len(api.Error) == 0 {
		return ""
	}
	var code string
	if json.Unmarshal(api.Error, &code) == nil {
		if api.Desc != "" {
			return code + ": " + api.Desc
		}
		return code
	}
	var e struct {
		Message string `json:"message"`
		Status  string `json:"status"`
	}
	if json.Unmarshal(api.Error, &e) != nil || e.Message == "" {
		return ""
	}
	if e.Status != "" {
		return e.Status + ": " + e.Message
	}
	return e.Message
}

// rateLimit treats 429 and the 403 quota refusals Google's older APIs
// send (reason rateLimitExceeded, userRateLimitExceeded) as rate limits.
func rateLimit(r *appkit.Response, now time.Time) (time.Duration, bool) {
	wait := appkit.RetryAfter(r.Header.Get("Retry-After"), now)
	switch r.Status {
	case http.StatusTooManyRequests:
		return wait, true
	case http.StatusForbidden:
		if b := string(r.Body); strings.Contains(b, "rateLimitExceeded") || strings.Contains(b, "userRateLimitExceeded") {
			return wait, true
		}
	}
	return 0, false
}
