package main

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

func TestRowJSON(t *testing.T) {
	keys := encodeKeys([]string{"EVENT_TYPE", "URI", `QUOTE"D`})
	tests := []struct {
		rec  []string
		want string
	}{
		{[]string{"Login", "/a?b=<c>&d", `x"y`}, `{"EVENT_TYPE":"Login","URI":"/a?b=\u003cc\u003e\u0026d","QUOTE\"D":"x\"y"}`},
		{[]string{"Login"}, `{"EVENT_TYPE":"Login"}`},
		{[]string{"Login", "/", "q", "extra"}, `{"EVENT_TYPE":"Login","URI":"/","QUOTE\"D":"q","_extra_1":"extra"}`},
	}
	for _, tt := range tests {
		if got := string(rowJSON(keys, tt.rec)); got != tt.want {
			t.Errorf("rowJSON(%q) = %s, want %s", tt.rec, got, tt.want)
		}
	}
	if trimBOM("\ufeffEVENT_TYPE") != "EVENT_TYPE" {
		t.Error("BOM kept")
	}
}

// FuzzRowJSON checks any header and row render as a valid JSON object.
func FuzzRowJSON(f *testing.F) {
	f.Add("EVENT_TYPE,URI", "Login,/x")
	f.Add("\xff\xfe", "\x00\"\\")
	f.Fuzz(func(t *testing.T, header, row string) {
		b := rowJSON(encodeKeys(strings.Split(header, ",")), strings.Split(row, ","))
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%q: %v", b, err)
		}
	})
}

func TestParseToken(t *testing.T) {
	tests := []struct {
		body string
		ok   bool
	}{
		{`{"access_token":"00D!x","instance_url":"https://acme.my.salesforce.com"}`, true},
		{`{"access_token":"00D!x","instance_url":"http://acme.my.salesforce.com"}`, false},
		{`{"access_token":"00D!x","instance_url":"https://acme.my.salesforce.com/x"}`, false},
		{`{"access_token":"","instance_url":"https://acme.my.salesforce.com"}`, false},
		{`not json`, false},
	}
	for _, tt := range tests {
		tok, err := parseToken([]byte(tt.body))
		if (err == nil) != tt.ok || tt.ok && tok.instance.String() != "https://acme.my.salesforce.com" {
			t.Errorf("parseToken(%s) = %v, %v", tt.body, tok.instance, err)
		}
	}
}

// TestResolveRefusesOtherHosts checks a LogFile or nextRecordsUrl naming
// another host is not followed: the session token would go with it.
func TestResolveRefusesOtherHosts(t *testing.T) {
	inst, _ := url.Parse("https://acme.my.salesforce.com")
	if u, err := resolve(inst, "/services/data/v60.0/sobjects/EventLogFile/0AT/LogFile"); err != nil ||
		u != "https://acme.my.salesforce.com/services/data/v60.0/sobjects/EventLogFile/0AT/LogFile" {
		t.Fatalf("resolve = %s, %v", u, err)
	}
	for _, ref := range []string{"https://evil.example/x", "//evil.example/x", "http://acme.my.salesforce.com/x"} {
		if u, err := resolve(inst, ref); err == nil {
			t.Errorf("resolve(%q) = %s, want a refusal", ref, u)
		}
	}
}
