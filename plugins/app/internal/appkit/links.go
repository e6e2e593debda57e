package appkit

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// ErrForeignLink reports a pagination link to a host other than the one
// configured, which is never followed: it would carry the instance's
// credentials to a host nobody chose.
var ErrForeignLink = errors.New("pagination link leads to another host or is not https")

// Link returns the target of the Link header entry (RFC 8288) whose rel
// is rel, resolved against base, or "" when there is none.
func Link(h http.Header, rel string, base *url.URL) string {
	for _, v := range h.Values("Link") {
		for _, part := range splitLinks(v) {
			target, params, ok := strings.Cut(part, ";")
			target = strings.TrimSpace(target)
			if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			if !hasRel(params, rel) {
				continue
			}
			u, err := base.Parse(target[1 : len(target)-1])
			if err != nil {
				return ""
			}
			return u.String()
		}
	}
	return ""
}

// splitLinks splits a Link header value at the commas between entries,
// not those inside <...> or quotes.
func splitLinks(v string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i, r := range v {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '<':
			depth++
		case r == '>':
			depth--
		case r == ',' && depth == 0:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

func hasRel(params, rel string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
			continue
		}
		for _, r := range strings.Fields(strings.Trim(strings.TrimSpace(v), `"`)) {
			if strings.EqualFold(r, rel) {
				return true
			}
		}
	}
	return false
}

// SameHost parses a pagination link and checks it is https on base's host.
func SameHost(base *url.URL, link string) (*url.URL, error) {
	u, err := base.Parse(link)
	if err != nil || u.Scheme != "https" || !strings.EqualFold(u.Host, base.Host) {
		return nil, ErrForeignLink
	}
	return u, nil
}
