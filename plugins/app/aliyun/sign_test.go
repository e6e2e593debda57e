package main

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestSignatureDocumentedExample reproduces the worked example of Alibaba
// Cloud's RPC signature documentation.
func TestSignatureDocumentedExample(t *testing.T) {
	params := map[string]string{
		"AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML", "SignatureMethod": "HMAC-SHA1",
		"SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "SignatureVersion": "1.0",
		"Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26",
	}
	const wantCanonical = "AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1" +
		"&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0" +
		"&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26"
	if got := canonicalize(params); got != wantCanonical {
		t.Fatalf("canonical query\n%s\nwant\n%s", got, wantCanonical)
	}
	if got := signature("GET", wantCanonical, "testsecret"); got != "OLeaidS1JvxuMvnyHOwuJ+uX5qY=" {
		t.Fatalf("signature %s", got)
	}
}

func TestPercentEncode(t *testing.T) {
	tests := map[string]string{
		"a b":          "a%20b",
		"a*b":          "a%2Ab",
		"~-_.":         "~-_.",
		"a+b/c=d&e":    "a%2Bb%2Fc%3Dd%26e",
		"操作审计":         "%E6%93%8D%E4%BD%9C%E5%AE%A1%E8%AE%A1",
		"!'()":         "%21%27%28%29",
		"2026-01-02Z:": "2026-01-02Z%3A",
	}
	for in, want := range tests {
		if got := percentEncode(in); got != want {
			t.Errorf("percentEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSignedQuery(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 890, time.UTC)
	q1, err := signedQuery("GET", map[string]string{"Action": "LookupEvents", "StartTime": "2026-03-04T04:00:00Z"}, "kid", "secret", now)
	if err != nil {
		t.Fatal(err)
	}
	q2, _ := signedQuery("GET", map[string]string{"Action": "LookupEvents", "StartTime": "2026-03-04T04:00:00Z"}, "kid", "secret", now)
	v1, _ := url.ParseQuery(q1)
	v2, _ := url.ParseQuery(q2)
	if v1.Get("Timestamp") != "2026-03-04T05:06:07Z" || v1.Get("Format") != "JSON" || v1.Get("AccessKeyId") != "kid" ||
		v1.Get("SignatureNonce") == v2.Get("SignatureNonce") {
		t.Fatalf("query %s", q1)
	}
	// The signature covers everything before it.
	head, sig, _ := strings.Cut(q1, "&Signature=")
	want := signature("GET", head, "secret")
	if s, _ := url.QueryUnescape(sig); s != want {
		t.Fatalf("signature %s, want %s", s, want)
	}
	if strings.Contains(q1, "secret") {
		t.Fatal("the query holds the secret")
	}
}
