package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
)

// sessionLife is how long a session is reused. The password flow's answer
// carries no expiry; Salesforce's shortest session timeout is 15 minutes
// and an expired session is refreshed on its 401 anyway.
const sessionLife = 10 * time.Minute

// session is a signed-in org: the access token, the instance and the
// newest API version it serves.
type session struct {
	token   token
	version string
}

// sessions obtains and refreshes one instance's session.
type sessions struct {
	app    *App
	client *appkit.Client
	creds  *credentials
	login  string
	key    string
}

func (a *App) newSessions(client *appkit.Client, s settings) *sessions {
	c := s.creds
	sum := sha256.Sum256([]byte(strings.Join([]string{s.loginHost, c.clientID, c.clientSecret, c.username, c.password, c.securityToken}, "\x00")))
	return &sessions{app: a, client: client, creds: c, login: "https://" + s.loginHost + tokenPath, key: hex.EncodeToString(sum[:])}
}

// get returns the cached session, or signs in.
func (s *sessions) get(ctx context.Context) (session, error) {
	if cur, ok := s.app.sessions.Get(s.key, s.app.Spec.Now()); ok {
		s.client.AddSecret(cur.token.access)
		return cur, nil
	}
	return s.refresh(ctx)
}

// forget drops the cached session, after Salesforce refused it.
func (s *sessions) forget() { s.app.sessions.Forget(s.key) }

// refresh signs in and discovers the newest API version.
func (s *sessions) refresh(ctx context.Context) (session, error) {
	resp, err := s.client.Do(ctx, appkit.Request{
		Method: http.MethodPost, URL: s.login, Body: []byte(s.creds.tokenForm().Encode()), MaxBody: 1 << 20,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}},
	})
	if err != nil {
		return session{}, fmt.Errorf("sign in: %w", err)
	}
	tok, err := parseToken(resp.Body)
	if err != nil {
		return session{}, fmt.Errorf("sign in: %w", err)
	}
	s.client.AddSecret(tok.access)
	ver, err := s.latestVersion(ctx, tok)
	if err != nil {
		return session{}, err
	}
	cur := session{token: tok, version: ver}
	s.app.sessions.Put(s.key, cur, s.app.Spec.Now().Add(sessionLife))
	return cur, nil
}

// apiVersion is one entry of GET /services/data/.
type apiVersion struct {
	Version string `json:"version"`
	URL     string `json:"url"`
}

// latestVersion asks the instance which REST API versions it serves and
// returns the newest, as StreamAlert does.
func (s *sessions) latestVersion(ctx context.Context, tok token) (string, error) {
	resp, err := s.client.Do(ctx, appkit.Request{Method: http.MethodGet, URL: tok.instance.String() + "/services/data/",
		Header: http.Header{"Authorization": {"Bearer " + tok.access}, "Accept": {"application/json"}}, MaxBody: 1 << 20})
	if err != nil {
		return "", fmt.Errorf("list API versions: %w", err)
	}
	var versions []apiVersion
	if err := resp.JSON(&versions); err != nil {
		return "", fmt.Errorf("list API versions: %w", err)
	}
	best, bestN := "", 0.0
	for _, v := range versions {
		n, err := strconv.ParseFloat(v.Version, 64)
		if err == nil && n > bestN && validVersion(v.Version) {
			best, bestN = v.Version, n
		}
	}
	if best == "" {
		return "", errors.New("list API versions: the instance lists none")
	}
	return best, nil
}

// validVersion accepts versions like 59.0, which go into URL paths.
func validVersion(v string) bool {
	major, minor, ok := strings.Cut(v, ".")
	_, err1 := strconv.Atoi(major)
	_, err2 := strconv.Atoi(minor)
	return ok && err1 == nil && err2 == nil
}

// apiErrors is the error body of Salesforce's REST API.
type apiErrors []struct {
	Message   string `json:"message"`
	ErrorCode string `json:"errorCode"`
}

// errorText reads Salesforce's error bodies: the REST API's list of
// {"errorCode", "message"} and the token endpoint's {"error",
// "error_description"}.
func errorText(body []byte) string {
	var list apiErrors
	if json.Unmarshal(body, &list) == nil && len(list) > 0 {
		var parts []string
		for _, e := range list {
			parts = append(parts, e.ErrorCode+": "+e.Message)
		}
		return strings.Join(parts, "; ")
	}
	var o struct {
		Error string `json:"error"`
		Desc  string `json:"error_description"`
	}
	if json.Unmarshal(body, &o) == nil && o.Error != "" {
		if o.Desc != "" {
			return o.Error + ": " + o.Desc
		}
		return o.Error
	}
	return ""
}

// resolve turns a path the API returned (a LogFile, a nextRecordsUrl) into
// a URL on the instance, refusing any other host.
func resolve(instance *url.URL, ref string) (string, error) {
	u, err := appkit.SameHost(instance, ref)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}
