package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
)

// Box API addresses.
const (
	apiBase  = "https://api.box.com"
	tokenURL = apiBase + "/oauth2/token"
)

// tokenMargin is how long before its expiry a token is no longer used;
// skewLimit is the clock difference beyond which a refused assertion is
// signed again on Box's clock, as Box's own SDKs do.
const (
	tokenMargin = 5 * time.Minute
	skewLimit   = 30 * time.Second
)

// tokenSource obtains and refreshes one instance's access token.
type tokenSource struct {
	app      *App
	client   *appkit.Client
	settings *settings
	cacheKey string
}

// newTokenSource prepares the token exchange of an instance; the settings
// file's key is decrypted here. The cache key covers the settings, so a
// changed file never uses an old token.
func (a *App) newTokenSource(client *appkit.Client, keyfile string) (*tokenSource, error) {
	s, err := parseSettings(keyfile)
	if err != nil {
		return nil, fmt.Errorf("%s %w", propKeyfile, err)
	}
	client.AddSecret(s.clientSecret)
	sum := sha256.Sum256([]byte(keyfile))
	return &tokenSource{app: a, client: client, settings: s, cacheKey: hex.EncodeToString(sum[:])}, nil
}

// get returns a valid access token: the cached one, or a new one.
func (s *tokenSource) get(ctx context.Context) (string, error) {
	if tok, ok := s.app.tokens.Get(s.cacheKey, s.app.Spec.Now().Add(tokenMargin)); ok {
		s.client.AddSecret(tok)
		return tok, nil
	}
	return s.refresh(ctx)
}

// forget drops the cached token, after Box refused it.
func (s *tokenSource) forget() { s.app.tokens.Forget(s.cacheKey) }

// refresh exchanges a new assertion for an access token. When Box refuses
// the assertion and its clock differs from ours by more than skewLimit,
// the assertion is signed once more on Box's clock.
func (s *tokenSource) refresh(ctx context.Context) (string, error) {
	resp, err := s.exchange(ctx, 0)
	var he *appkit.HTTPError
	if errors.As(err, &he) && he.Status == http.StatusBadRequest {
		if boxNow, perr := http.ParseTime(he.Header.Get("Date")); perr == nil {
			if skew := boxNow.Sub(s.app.Spec.Now()); absDuration(skew) > skewLimit {
				s.app.Spec.Logger.Warn("Box refused the assertion and its clock differs from ours; signing on Box's clock",
					"skew", skew.Round(time.Second).String())
				resp, err = s.exchange(ctx, skew)
			}
		}
	}
	if err != nil {
		return "", fmt.Errorf("get access token: %w", err)
	}
	tok, life, err := s.client.BearerToken(resp)
	if err != nil {
		return "", fmt.Errorf("get access token: %w", err)
	}
	s.app.tokens.Put(s.cacheKey, tok, s.app.Spec.Now().Add(life))
	return tok, nil
}

// exchange posts an assertion for a token. Each attempt signs a new
// assertion, on our clock moved by skew: an assertion's jti may be used
// only once, so a retried request must not repeat it.
func (s *tokenSource) exchange(ctx context.Context, skew time.Duration) (*appkit.Response, error) {
	return s.client.Do(ctx, appkit.Request{
		Method: http.MethodPost, URL: tokenURL, MaxBody: 1 << 20,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}},
		Prepare: func(r *http.Request) error {
			assertion, err := s.settings.assertion(tokenURL, s.app.Spec.Now().Add(skew))
			if err != nil {
				return err
			}
			s.client.AddSecret(assertion)
			body := url.Values{
				"grant_type":    {jwtBearerGrant},
				"assertion":     {assertion},
				"client_id":     {s.settings.clientID},
				"client_secret": {s.settings.clientSecret},
			}.Encode()
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader(body)), int64(len(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
			return nil
		},
	})
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// errorText reads Box's error bodies: the API's {"code", "message"} and
// the token endpoint's {"error", "error_description"}.
func errorText(body []byte) string {
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Error   string `json:"error"`
		Desc    string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	switch {
	case e.Error != "" && e.Desc != "":
		return e.Error + ": " + e.Desc
	case e.Error != "":
		return e.Error
	case e.Code != "" && e.Message != "":
		return e.Code + ": " + e.Message
	}
	return e.Message
}
