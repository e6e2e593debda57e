package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
)

// Hosts of the Google endpoints the plugin calls.
const (
	tokenHost   = "oauth2.googleapis.com"
	reportsHost = "admin.googleapis.com"
	tokenURL    = "https://" + tokenHost + "/token"
)

// uqBase offsets a source event's sequence number into the activity's
// uniqueQualifier, so the driver can map logs back to events.
const uqBase = 4_000_000_000

// fakeGoogle stands in for Google's token endpoint and Reports API, as
// they are documented: it verifies the assertion's signature and claims
// and the bearer token, checks every query parameter, serves activities
// of the window asked for newest first, and hands out page tokens bound
// to that window. Events arrive while a walk is under way.
type fakeGoogle struct {
	t   *testing.T
	src *apptest.Source
	app string
	*apptest.Server

	mu         sync.Mutex
	tokens     map[string]bool
	tokenCalls int
	apiCalls   int
	// windows records the startTime/endTime pairs asked for.
	windows [][2]string
	// refuse, when set, answers the next API call instead of serving it.
	refuse []func(w http.ResponseWriter) bool
	// refuseToken answers the next token request with this error code.
	refuseToken string
	// expired are tokens no longer accepted.
	expired map[string]bool
	// pageCap bounds a page below maxResults, so walks take many pages.
	pageCap int
}

func newFakeGoogle(t *testing.T, src *apptest.Source, app string) *fakeGoogle {
	f := &fakeGoogle{t: t, src: src, app: app, tokens: map[string]bool{}, expired: map[string]bool{}, pageCap: 20}
	f.Server = apptest.NewServer(t, f, tokenHost, reportsHost)
	return f
}

func (f *fakeGoogle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Host {
	case tokenHost:
		f.token(w, r)
	case reportsHost:
		f.activities(w, r)
	default:
		f.t.Errorf("request to unexpected host %q", r.Host)
		http.Error(w, "unknown host", http.StatusMisdirectedRequest)
	}
}

// token is the OAuth 2.0 token endpoint of the service-account flow.
func (f *fakeGoogle) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.tokenCalls++
	refuse := f.refuseToken
	f.refuseToken = ""
	f.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/token" || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		f.t.Errorf("token request %s %s (%s)", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		oauthError(w, http.StatusBadRequest, "invalid_request", "bad request")
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != jwtBearerGrant || len(r.PostForm) != 2 {
		f.t.Errorf("token form %v", r.PostForm)
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "Invalid grant_type")
		return
	}
	if refuse != "" {
		oauthError(w, http.StatusBadRequest, refuse, "Invalid JWT Signature.")
		return
	}
	if msg := checkAssertion(r.PostForm.Get("assertion")); msg != "" {
		f.t.Errorf("assertion: %s", msg)
		oauthError(w, http.StatusBadRequest, "invalid_grant", msg)
		return
	}
	tok := randomToken()
	f.mu.Lock()
	f.tokens[tok] = true
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "expires_in": 3599, "token_type": "Bearer"})
}

// checkAssertion verifies a service-account assertion as Google does.
func checkAssertion(assertion string) string {
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(assertion, claims, func(*jwt.Token) (any, error) { return &testKey.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(testEmail), jwt.WithSubject(testDelegate),
		jwt.WithAudience(tokenURL), jwt.WithIssuedAt(), jwt.WithExpirationRequired())
	if err != nil {
		return err.Error()
	}
	iat, _ := claims.GetIssuedAt()
	exp, _ := claims.GetExpirationTime()
	switch {
	case tok.Header["kid"] != testKeyID:
		return fmt.Sprintf("kid %v", tok.Header["kid"])
	case claims["scope"] != reportsScope:
		return fmt.Sprintf("scope %v", claims["scope"])
	case iat == nil || exp == nil || exp.Sub(iat.Time) > time.Hour || time.Since(iat.Time) > time.Minute:
		return "iat/exp out of range"
	}
	return ""
}

// activities is GET .../activity/users/all/applications/{app}.
func (f *fakeGoogle) activities(w http.ResponseWriter, r *http.Request) {
	f.src.Tick()
	f.mu.Lock()
	f.apiCalls++
	valid := f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")] &&
		!f.expired[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	var refuse func(http.ResponseWriter) bool
	if len(f.refuse) > 0 {
		refuse, f.refuse = f.refuse[0], f.refuse[1:]
	}
	f.mu.Unlock()
	if !valid {
		googleError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
		return
	}
	if refuse != nil && refuse(w) {
		return
	}
	want := "/admin/reports/v1/activity/users/all/applications/" + f.app
	if r.Method != http.MethodGet || r.URL.Path != want {
		f.t.Errorf("API request %s %s, want GET %s", r.Method, r.URL.Path, want)
		googleError(w, http.StatusNotFound, "NOT_FOUND", "not found")
		return
	}
	q := r.URL.Query()
	start, err1 := time.Parse(timeLayout, q.Get("startTime"))
	end, err2 := time.Parse(timeLayout, q.Get("endTime"))
	size, err3 := strconv.Atoi(q.Get("maxResults"))
	if err1 != nil || err2 != nil || err3 != nil || !start.Before(end) || size < 1 || size > 1000 ||
		end.After(f.src.Now().Add(time.Second)) || len(q) > 4 {
		f.t.Errorf("API query %v", q)
		googleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Bad request")
		return
	}
	f.mu.Lock()
	f.windows = append(f.windows, [2]string{q.Get("startTime"), q.Get("endTime")})
	f.mu.Unlock()
	size = min(size, f.pageCap)
	offset := 0
	if pt := q.Get("pageToken"); pt != "" {
		var ok bool
		if offset, ok = parsePageToken(pt, start, end); !ok {
			googleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid page token")
			return
		}
	}
	var items []json.RawMessage
	for _, e := range apptest.NewestFirst(f.src.Visible()) {
		if !e.Time.Before(start) && !e.Time.After(end) {
			items = append(items, f.render(e))
		}
	}
	page := map[string]any{"kind": "admin#reports#activities", "etag": `"sa-test/etag"`}
	if offset < len(items) {
		page["items"] = items[offset:min(offset+size, len(items))]
	}
	if offset+size < len(items) {
		page["nextPageToken"] = pageToken(offset+size, start, end)
	}
	writeJSON(w, http.StatusOK, page)
}

// render shapes an event as an admin activity, as the API documents it.
func (f *fakeGoogle) render(e apptest.Event) json.RawMessage {
	b, _ := json.Marshal(map[string]any{
		"kind": "admin#reports#activity",
		"id": map[string]any{
			"time": e.Time.UTC().Format(timeLayout), "uniqueQualifier": strconv.Itoa(uqBase + e.Seq),
			"applicationName": f.app, "customerId": "C03az79cb",
		},
		"etag":      `"sa-test/` + e.ID + `"`,
		"actor":     map[string]any{"callerType": "USER", "email": "liz@example.com", "profileId": "104857600000000000001"},
		"ipAddress": "203.0.113.7",
		"events": []any{map[string]any{"type": "USER_SETTINGS", "name": "CHANGE_PASSWORD",
			"parameters": []any{map[string]any{"name": "USER_EMAIL", "value": "bob@example.com"}}}},
	})
	return b
}

// idOf maps an emitted activity back to its source event.
func idOf(log []byte) (string, error) {
	var a struct {
		ID struct {
			UQ string `json:"uniqueQualifier"`
		} `json:"id"`
	}
	if err := json.Unmarshal(log, &a); err != nil {
		return "", err
	}
	n, err := strconv.Atoi(a.ID.UQ)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("ev-%06d", n-uqBase), nil
}

// pageToken binds an offset to the window it belongs to, as Google's
// tokens hold only for the query that issued them.
func pageToken(offset int, start, end time.Time) string {
	return strconv.Itoa(offset) + "." + windowHash(start, end)
}

func parsePageToken(tok string, start, end time.Time) (int, bool) {
	n, h, ok := strings.Cut(tok, ".")
	offset, err := strconv.Atoi(n)
	return offset, ok && err == nil && h == windowHash(start, end)
}

func windowHash(start, end time.Time) string {
	sum := sha256.Sum256([]byte(start.String() + end.String()))
	return hex.EncodeToString(sum[:6])
}

func randomToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return "ya29.sa-test-" + hex.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// googleError writes the error body of Google's JSON APIs.
func googleError(w http.ResponseWriter, code int, status, msg string) {
	writeJSON(w, code, map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status}})
}

// oauthError writes the error body of Google's token endpoint.
func oauthError(w http.ResponseWriter, code int, e, desc string) {
	writeJSON(w, code, map[string]any{"error": e, "error_description": desc})
}

// expireAll invalidates every token issued so far.
func (f *fakeGoogle) expireAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for t := range f.tokens {
		f.expired[t] = true
	}
}

// refuseNext queues an answer for the next API call.
func (f *fakeGoogle) refuseNext(fn func(w http.ResponseWriter) bool) {
	f.mu.Lock()
	f.refuse = append(f.refuse, fn)
	f.mu.Unlock()
}

// counts returns the token and API calls so far.
func (f *fakeGoogle) counts() (tokens, api int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenCalls, f.apiCalls
}

// config is the raw configuration of an instance reading app from f.
func (f *fakeGoogle) config(t *testing.T, extra map[string]any) map[string]any {
	raw := map[string]any{
		"type": "gsuite_" + f.app, propKeyfile: keyFileJSON(t, tokenURL, nil), propDelegation: testDelegate,
		"overlap_seconds": 5, "lookback_minutes": 5,
	}
	for k, v := range f.Transport() {
		raw[k] = v
	}
	for k, v := range extra {
		raw[k] = v
	}
	return raw
}
