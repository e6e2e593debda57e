package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	"github.com/streamalert-go/sa/plugins/output/webhook/signature"
	"github.com/streamalert-go/sa/sdk/schema"
)

// minSigningSecret is the shortest signing secret accepted; a short HMAC
// key can be guessed from one signed request.
const minSigningSecret = 16

// reservedHeaders are set by the plugin or by net/http; a configured header
// may not replace them, so a signature always covers what is sent.
var reservedHeaders = map[string]bool{
	"Host":              true,
	"Content-Length":    true,
	"Content-Type":      true,
	"Transfer-Encoding": true,
	"Connection":        true,
	"User-Agent":        true,
	http.CanonicalHeaderKey(signature.Header): true,
	http.CanonicalHeaderKey(headerTimestamp):  true,
	http.CanonicalHeaderKey(headerDelivery):   true,
}

// settings is an instance configuration in working form.
type settings struct {
	url           *url.URL
	signingSecret schema.Secret
	headers       http.Header
	transport     httpout.Transport
}

// parseSettings converts and checks cfg, the CA bundle included. Problems
// name the field and never quote a value: the URL and the headers may hold
// tokens.
func parseSettings(cfg schema.Config) (settings, []schema.Problem) {
	var problems []schema.Problem
	add := func(field, msg string) { problems = append(problems, schema.Problem{Field: field, Message: msg}) }

	s := settings{signingSecret: cfg.Secret(propSigningSecret)}
	if n := len(s.signingSecret.Reveal()); n > 0 && n < minSigningSecret {
		add(propSigningSecret, fmt.Sprintf("must be at least %d characters", minSigningSecret))
	}
	u, msg := parseURL(cfg.String(propURL), cfg.Bool(propAllowHTTP))
	if msg != "" {
		add(propURL, msg)
	}
	s.url = u
	h, msg := parseHeaders(cfg.Strings(propHeaders))
	if msg != "" {
		add(propHeaders, msg)
	}
	s.headers = h
	tr, more := httpout.ParseTransport(cfg)
	s.transport = tr
	return s, append(problems, more...)
}

// parseURL checks the endpoint. Plain http is refused unless allowed, since
// the body and signature would travel in the clear.
func parseURL(raw string, allowHTTP bool) (*url.URL, string) {
	// url.Parse's error quotes the input, so only its verdict is used.
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, "is not a valid absolute URL"
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !allowHTTP {
			return nil, "uses plain http; use https, or set allow_http on a trusted network"
		}
	default:
		return nil, "scheme must be https (or http with allow_http)"
	}
	u.Fragment, u.RawFragment = "", ""
	return u, ""
}

// parseHeaders parses "Name: value" entries. Messages identify an entry by
// position, never by content.
func parseHeaders(entries []string) (http.Header, string) {
	h := http.Header{}
	for i, e := range entries {
		name, value, ok := strings.Cut(e, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		switch {
		case !ok:
			return nil, fmt.Sprintf("entry %d: want \"Name: value\"", i+1)
		case !validHeaderName(name):
			return nil, fmt.Sprintf("entry %d: invalid header name", i+1)
		case !validHeaderValue(value):
			return nil, fmt.Sprintf("entry %d: header value has control characters", i+1)
		case reservedHeaders[http.CanonicalHeaderKey(name)]:
			return nil, fmt.Sprintf("entry %d: header %s is set by the plugin", i+1, http.CanonicalHeaderKey(name))
		}
		h.Add(name, value)
	}
	return h, ""
}

// validHeaderName reports whether s is an RFC 9110 token.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !isTokenChar(c) {
			return false
		}
	}
	return true
}

func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// validHeaderValue refuses control characters other than tab, which would
// let a value split into further headers.
func validHeaderValue(s string) bool {
	for _, c := range []byte(s) {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
