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

// cachedToken is an access token kept between polls.
type cachedToken struct {
	token   string
	expires time.Time
}

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
	s.app.mu.Lock()
	c, ok := s.app.tokens[s.cacheKey]
	s.app.mu.Unlock()
	if ok && s.app.now().Add(tokenMargin).Before(c.expires) {
		s.client.AddSecret(c.token)
		return c.token, nil
	}
	return s.refresh(ctx)
}

// forget drops the cached token, after Box refused it.
func (s *tokenSource) forget() {
	s.app.mu.Lock()
	delete(s.app.tokens, s.cacheKey)
	s.app.mu.Unlock()
}

// tokenAnswer is the token endpoint's success response.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	TokenType   string `json:"token_type"`
}

// refresh exchanges a new assertion for an access token. When Box refuses
// the assertion and its clock differs from ours by more than skewLimit,
// the assertion is signed once more on Box's clock.
func (s *tokenSource) refresh(ctx context.Context) (string, error) {
	resp, err := s.exchange(ctx, 0)
	var he *appkit.HTTPError
	if errors.As(err, &he) && he.Status == http.StatusBadRequest {
		if boxNow, perr := http.ParseTime(he.Header.Get("Date")); perr == nil {
			if skew := boxNow.Sub(s.app.now()); absDuration(skew) > skewLimit {
				s.app.log.Warn("Box refused the assertion and its clock differs from ours; signing on Box's clock",
					"skew", skew.Round(time.Second).String())
				resp, err = s.exchange(ctx, skew)
			}
		}
	}
	if err != nil {
		return "", fmt.Errorf("get access token: %w", err)
	}
	var ans tokenAnswer
	if err := resp.JSON(&ans); err != nil {
		return "", fmt.Errorf("get access token: %w", err)
	}
	if ans.AccessToken == "" || !strings.EqualFold(ans.TokenType, "bearer") {
		return "", errors.New("get access token: the answer holds no bearer token")
	}
	s.client.AddSecret(ans.AccessToken)
	life := time.Duration(ans.ExpiresIn) * time.Second
	if life <= 0 {
		life = time.Hour
	}
	s.app.mu.Lock()
	s.app.tokens[s.cacheKey] = cachedToken{token: ans.AccessToken, expires: s.app.now().Add(life)}
	s.app.mu.Unlock()
	return ans.AccessToken, nil
}

// exchange posts an assertion for a token. Each attempt signs a new
// assertion, on our clock moved by skew: an assertion's jti may be used
// only once, so a retried request must not repeat it.
func (s *tokenSource) exchange(ctx context.Context, skew time.Duration) (*appkit.Response, error) {
	return s.client.Do(ctx, appkit.Request{
		Method: http.MethodPost, URL: tokenURL, MaxBody: 1 << 20,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}},
		Prepare: func(r *http.Request) error {
			assertion, err := s.settings.assertion(tokenURL, s.app.now().Add(skew))
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
