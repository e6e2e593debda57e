package appkit

import (
	"encoding/json"
	"net/url"
	"strings"
)

// escapedForms lists the ways a secret commonly reappears in an error
// body or message: as is, URL-escaped, and JSON-escaped.
func escapedForms(s string) []string {
	out := []string{s, url.QueryEscape(s), url.PathEscape(s)}
	if b, err := json.Marshal(s); err == nil {
		out = append(out, strings.Trim(string(b), `"`))
	}
	return out
}
