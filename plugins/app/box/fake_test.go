package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit/apptest"
)

// boxHost is the host of Box's API and token endpoint.
const boxHost = "api.box.com"

// positionBase makes stream positions the large numbers Box sends, beyond
// what a float64 holds exactly.
const positionBase = 1152922976252290000

// fakeBox stands in for Box's token endpoint and events API as they are
// documented: it verifies the JWT assertion (RS512 signature with the
// app's registered key, claims, single-use jti, expiry within 60 seconds)
// and the client credentials, then serves admin_logs events of the time
// range asked for in chronological order, paged by stream position.
type fakeBox struct {
	t   *testing.T
	src *apptest.Source
	*apptest.Server

	mu         sync.Mutex
	tokens     map[string]bool
	jtis       map[string]bool
	tokenCalls int
	apiCalls   int
	queries    []string
	refuse     []func(w http.ResponseWriter) bool
	// clock is the fake's clock offset from ours, for skew tests.
	clock time.Duration
	// refuseGrant answers the next token request with this error.
	refuseGrant string
	// pageCap bounds a page below the limit asked, so walks take pages.
	pageCap int
	// still stops events arriving during requests.
	still bool
}

func newFakeBox(t *testing.T, src *apptest.Source) *fakeBox {
	f := &fakeBox{t: t, src: src, tokens: map[string]bool{}, jtis: map[string]bool{}, pageCap: pageSize}
	f.Server = apptest.NewServer(t, f, boxHost)
	return f
}

func (f *fakeBox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Host != boxHost {
		f.t.Errorf("request to unexpected host %q", r.Host)
		http.Error(w, "unknown host", http.StatusMisdirectedRequest)
		return
	}
	switch r.URL.Path {
	case "/oauth2/token":
		f.token(w, r)
	case "/2.0/events":
		f.events(w, r)
	default:
		f.t.Errorf("request for %s", r.URL.Path)
		boxError(w, http.StatusNotFound, "not_found", "Not Found")
	}
}

// token is POST /oauth2/token with the JWT bearer grant.
func (f *fakeBox) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.tokenCalls++
	now := time.Now().Add(f.clock)
	refuse := f.refuseGrant
	f.refuseGrant = ""
	f.mu.Unlock()
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		f.t.Errorf("token request %s (%s)", r.Method, r.Header.Get("Content-Type"))
		oauthError(w, "invalid_request", "Invalid request")
		return
	}
	if err := r.ParseForm(); err != nil || len(r.PostForm) != 4 || r.PostForm.Get("grant_type") != jwtBearerGrant {
		f.t.Errorf("token form %v", r.PostForm)
		oauthError(w, "invalid_request", "Invalid grant_type parameter or parameter missing")
		return
	}
	if r.PostForm.Get("client_id") != testClientID || r.PostForm.Get("client_secret") != testClientSecret || refuse == "invalid_client" {
		oauthError(w, "invalid_client", "The client credentials are invalid")
		return
	}
	if msg := f.checkAssertion(r.PostForm.Get("assertion"), now); msg != "" {
		oauthError(w, "invalid_grant", msg)
		return
	}
	tok := "box-sa-test-" + randomHex()
	f.mu.Lock()
	f.tokens[tok] = true
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "expires_in": 4169, "restricted_to": []any{}, "token_type": "bearer"})
}

// checkAssertion verifies an assertion as Box does, on the fake's clock.
func (f *fakeBox) checkAssertion(assertion string, now time.Time) string {
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(assertion, claims, func(*jwt.Token) (any, error) { return publicKey(f.t), nil },
		jwt.WithValidMethods([]string{"RS256", "RS384", "RS512"}), jwt.WithIssuer(testClientID), jwt.WithSubject(testEnterpriseID),
		jwt.WithAudience(tokenURL), jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		if strings.Contains(err.Error(), "expired") {
			return "Please check the 'exp' claim."
		}
		return "Signature verification error. The public key identified by \"kid\" must correspond to the private key used for signing."
	}
	exp, _ := claims.GetExpirationTime()
	jti, _ := claims["jti"].(string)
	f.mu.Lock()
	replay := f.jtis[jti]
	f.jtis[jti] = true
	f.mu.Unlock()
	switch {
	case tok.Header["kid"] != testKeyID:
		return "Please check the 'kid' header."
	case claims["box_sub_type"] != "enterprise":
		return "Please check the 'box_sub_type' claim."
	case exp.Sub(now) > 60*time.Second:
		return "Please check the 'exp' claim."
	case len(jti) < 16 || len(jti) > 128 || replay:
		return "Please check the 'jti' claim."
	}
	return ""
}

// events is GET /2.0/events?stream_type=admin_logs.
func (f *fakeBox) events(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if !f.still {
		f.src.Tick()
	}
	f.apiCalls++
	valid := f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	var refuse func(http.ResponseWriter) bool
	if len(f.refuse) > 0 {
		refuse, f.refuse = f.refuse[0], f.refuse[1:]
	}
	f.queries = append(f.queries, r.URL.RawQuery)
	f.mu.Unlock()
	if !valid {
		w.Header().Set("WWW-Authenticate", `Bearer realm="Service", error="invalid_token", error_description="The access token provided is invalid."`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if refuse != nil && refuse(w) {
		return
	}
	q := r.URL.Query()
	after, err1 := time.Parse(time.RFC3339, q.Get("created_after"))
	before, err2 := time.Parse(time.RFC3339, q.Get("created_before"))
	limit, err3 := strconv.Atoi(q.Get("limit"))
	if r.Method != http.MethodGet || q.Get("stream_type") != "admin_logs" || err1 != nil || err2 != nil || err3 != nil ||
		limit < 1 || limit > 500 || !after.Before(before) || len(q) > 5 {
		f.t.Errorf("events request %s ?%s", r.Method, r.URL.RawQuery)
		boxError(w, http.StatusBadRequest, "bad_request", "Bad Request")
		return
	}
	offset := 0
	if p := q.Get("stream_position"); p != "" {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < positionBase {
			boxError(w, http.StatusBadRequest, "invalid_parameter", "Invalid value for 'stream_position'")
			return
		}
		offset = int(n - positionBase)
	}
	var entries []json.RawMessage
	for _, e := range apptest.ByTime(f.src.Visible()) {
		if !e.Time.Before(after) && e.Time.Before(before) {
			entries = append(entries, render(e))
		}
	}
	limit = min(limit, f.pageCap)
	page := entries[min(offset, len(entries)):min(offset+limit, len(entries))]
	next := offset + len(page)
	body := fmt.Sprintf(`{"chunk_size":%d,"next_stream_position":%d,"entries":[%s]}`,
		len(page), positionBase+next, joinRaw(page))
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(body))
}

// render shapes an event as an enterprise event, as Box documents it.
func render(e apptest.Event) json.RawMessage {
	user := map[string]any{"type": "user", "id": "11446498", "name": "Aaron Levie", "login": "ceo@example.com"}
	b, _ := json.Marshal(map[string]any{
		"type":               "event",
		"event_id":           e.ID + "-f82c3ba03e41f7e8a7608363cc6c0390",
		"created_by":         user,
		"created_at":         e.Time.UTC().Format("2006-01-02T15:04:05-07:00"),
		"event_type":         "ADD_LOGIN_ACTIVITY_DEVICE",
		"ip_address":         "203.0.113.21",
		"session_id":         "",
		"source":             user,
		"additional_details": map[string]any{"size": 37934912, "version_id": "12345"},
	})
	return b
}

// idOf maps an emitted event back to its source event.
func idOf(log []byte) (string, error) {
	var e struct {
		ID string `json:"event_id"`
	}
	if err := json.Unmarshal(log, &e); err != nil {
		return "", err
	}
	id, _, ok := strings.Cut(e.ID, "-f82c")
	if !ok {
		return "", fmt.Errorf("event_id %q", e.ID)
	}
	return id, nil
}

func joinRaw(raws []json.RawMessage) string {
	s := make([]string, len(raws))
	for i, r := range raws {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

func randomHex() string {
	b := make([]byte, 20)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// boxError writes the error body of Box's API.
func boxError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"type": "error", "status": status, "code": code, "message": msg, "request_id": "abcdef123456"})
}

// oauthError writes the error body of Box's token endpoint.
func oauthError(w http.ResponseWriter, e, desc string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"error": e, "error_description": desc})
}

func (f *fakeBox) refuseNext(fn func(w http.ResponseWriter) bool) {
	f.mu.Lock()
	f.refuse = append(f.refuse, fn)
	f.mu.Unlock()
}

func (f *fakeBox) counts() (tokens, api int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenCalls, f.apiCalls
}

// expireAll makes every token issued so far invalid.
func (f *fakeBox) expireAll() {
	f.mu.Lock()
	f.tokens = map[string]bool{}
	f.mu.Unlock()
}

// secrets are the values that must never leak: the client secret, the key
// passphrase, the key itself and the tokens issued.
func (f *fakeBox) secrets(t *testing.T) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []string{testClientSecret, testPassphrase, pemBody(readTestdata(t, "key-aes256-sha256.pem"))}
	for tok := range f.tokens {
		out = append(out, tok)
	}
	return out
}

// config is the raw configuration of an instance reading from f.
func (f *fakeBox) config(t *testing.T) map[string]any {
	raw := map[string]any{"type": appType, propKeyfile: settingsJSON(t, nil), "overlap_seconds": 5, "lookback_minutes": 5}
	for k, v := range f.Transport() {
		raw[k] = v
	}
	return raw
}

func parseQuery(q string) (url.Values, error) { return url.ParseQuery(q) }
