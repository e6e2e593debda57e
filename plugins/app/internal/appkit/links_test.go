package appkit

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
)

func TestLink(t *testing.T) {
	base, _ := url.Parse("https://acme.okta.com/api/v1/logs?since=x")
	h := http.Header{}
	h.Add("Link", `<https://acme.okta.com/api/v1/logs?limit=2&after=a,b>; rel="self"`)
	h.Add("Link", `<https://acme.okta.com/api/v1/logs?limit=2&after=1700000000000_1>; rel="next"`)
	if got := Link(h, "next", base); got != "https://acme.okta.com/api/v1/logs?limit=2&after=1700000000000_1" {
		t.Errorf("next = %q", got)
	}
	if got := Link(h, "self", base); got != "https://acme.okta.com/api/v1/logs?limit=2&after=a,b" {
		t.Errorf("self = %q", got)
	}
	one := http.Header{"Link": {`</p?page=2>; rel="prev first", </p?page=4>; rel=next`}}
	if got := Link(one, "next", base); got != "https://acme.okta.com/p?page=4" {
		t.Errorf("relative next in one header = %q", got)
	}
	if got := Link(one, "last", base); got != "" {
		t.Errorf("absent rel = %q", got)
	}
}

func TestSameHost(t *testing.T) {
	base, _ := url.Parse("https://api.example.com/v1/x")
	for link, ok := range map[string]bool{
		"https://api.example.com/v1/x?page=2": true, "/v1/x?page=3": true, "https://API.example.com/y": true,
		"http://api.example.com/v1/x": false, "https://evil.example.net/v1/x": false, "https://api.example.com:8443/": false,
	} {
		u, err := SameHost(base, link)
		if ok != (err == nil) || !ok && !errors.Is(err, ErrForeignLink) || ok && u.Host == "" {
			t.Errorf("%s: %v %v", link, u, err)
		}
	}
}
