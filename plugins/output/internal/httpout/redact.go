package httpout

import (
	"net/url"
	"slices"
	"strings"

	"github.com/streamalert-go/sa/sdk/schema"
)

// minMasked is the shortest value masked; shorter path segments ("v1",
// "api") are not tokens and masking them would garble messages.
const minMasked = 8

// NewRedactor returns a function replacing each value of at least
// minMasked bytes, and its URL-escaped forms (a vendor may quote a
// request URL back), with schema.Masked, longest first so a value
// containing another is masked whole.
func NewRedactor(values ...string) func(string) string {
	seen := map[string]bool{}
	var keep []string
	for _, s := range values {
		for _, v := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
			if len(v) >= minMasked && !seen[v] {
				seen[v] = true
				keep = append(keep, v)
			}
		}
	}
	slices.SortFunc(keep, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(keep))
	for _, v := range keep {
		pairs = append(pairs, v, schema.Masked)
	}
	return strings.NewReplacer(pairs...).Replace
}

// URLSecrets lists the parts of u that may be tokens: the whole URL, its
// path and every path segment, its query and query values, and a password.
// Vendors' webhook URLs carry their token in the path, and error pages may
// quote the path back.
func URLSecrets(u *url.URL) []string {
	if u == nil {
		return nil
	}
	out := []string{u.String(), u.Redacted(), u.EscapedPath(), u.Path, u.RawQuery}
	out = append(out, strings.Split(u.Path, "/")...)
	for _, vals := range u.Query() {
		out = append(out, vals...)
	}
	if p, ok := u.User.Password(); ok {
		out = append(out, p)
	}
	return out
}

// ParseHTTPS checks an endpoint URL and returns a problem message that
// never quotes the value: https only, with a host, no fragment. Unlike
// URLPolicy.Parse it keeps a query, where webhook URLs may carry a token.
func ParseHTTPS(raw string) (*url.URL, string) {
	// url.Parse's error quotes the input, so only its verdict is used.
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, "is not a valid absolute URL"
	}
	if u.Scheme != "https" {
		return nil, "scheme must be https"
	}
	u.Fragment, u.RawFragment = "", ""
	return u, ""
}
