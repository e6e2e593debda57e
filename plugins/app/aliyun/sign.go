package main

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Alibaba Cloud's RPC-style API signature, version 1.0 (HMAC-SHA1): the
// request parameters, common ones included, are sorted by name, each name
// and value percent-encoded (RFC 3986: only A-Z a-z 0-9 - _ . ~ stay
// literal), joined as name=value&...; the string to sign is
// METHOD&%2F&encode(that); the signature is Base64(HMAC-SHA1(secret + "&",
// string to sign)), sent as the Signature parameter.

// Common parameters of every signed request.
const (
	signatureMethod  = "HMAC-SHA1"
	signatureVersion = "1.0"
	// timestampLayout is ISO 8601 in UTC, to the second, as the API wants.
	timestampLayout = "2006-01-02T15:04:05Z"
)

// signedQuery returns the query string of a request with params, adding
// the common parameters (AccessKeyId, Format, SignatureMethod,
// SignatureVersion, SignatureNonce, Timestamp) and the Signature.
func signedQuery(method string, params map[string]string, keyID, secret string, now time.Time) (string, error) {
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	all := make(map[string]string, len(params)+7)
	for k, v := range params {
		all[k] = v
	}
	all["AccessKeyId"] = keyID
	all["Format"] = "JSON"
	all["SignatureMethod"] = signatureMethod
	all["SignatureVersion"] = signatureVersion
	all["SignatureNonce"] = hex.EncodeToString(nonce)
	all["Timestamp"] = now.UTC().Format(timestampLayout)
	canonical := canonicalize(all)
	return canonical + "&Signature=" + percentEncode(signature(method, canonical, secret)), nil
}

// canonicalize returns the sorted, encoded name=value pairs of params.
func canonicalize(params map[string]string) string {
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for i, k := range names {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(percentEncode(k))
		b.WriteByte('=')
		b.WriteString(percentEncode(params[k]))
	}
	return b.String()
}

// signature signs a canonicalized query string.
func signature(method, canonical, secret string) string {
	toSign := method + "&" + percentEncode("/") + "&" + percentEncode(canonical)
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// percentEncode encodes s as the signature wants: Go's query escaping
// differs only in writing a space as "+".
func percentEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
