package main

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// dateFormat is RFC 2822 as Duo's Admin API documents the Date header.
const dateFormat = "Mon, 02 Jan 2006 15:04:05 -0000"

// signer signs Admin API requests with an integration's keys, as Duo
// documents: an HMAC-SHA1, keyed with the secret key, of the lines
// date, method, host, path and canonical parameters, sent as HTTP Basic
// credentials integration_key:hex_signature with the same Date header.
type signer struct {
	ikey, skey string
	now        func() time.Time
}

// prepare signs r; it runs on every attempt, so each has a fresh Date.
func (s signer) prepare(r *http.Request) error {
	date := s.now().UTC().Format(dateFormat)
	r.Header.Set("Date", date)
	r.Header.Set("Authorization", s.authorization(date, r.Method, r.URL.Host, r.URL.Path, r.URL.Query()))
	return nil
}

// authorization is the Authorization header value for a request.
func (s signer) authorization(date, method, host, path string, params url.Values) string {
	canon := strings.Join([]string{date, strings.ToUpper(method), strings.ToLower(host), path, canonicalParams(params)}, "\n")
	mac := hmac.New(sha1.New, []byte(s.skey))
	mac.Write([]byte(canon))
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(s.ikey+":"+hex.EncodeToString(mac.Sum(nil))))
}

// canonicalParams writes params sorted by name as name=value pairs joined
// by "&", each part percent-encoded as RFC 3986 requires (unreserved
// characters kept, space as %20).
func canonicalParams(params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		for _, v := range params[k] {
			parts = append(parts, escape(k)+"="+escape(v))
		}
	}
	return strings.Join(parts, "&")
}

// escape percent-encodes every byte but RFC 3986's unreserved characters.
func escape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}
