package awsfake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// sigv4Prefix starts every SigV4 Authorization header.
const sigv4Prefix = "AWS4-HMAC-SHA256 "

// maxSkew is how far a request's date may be from the server's clock, as
// AWS allows.
const maxSkew = 15 * time.Minute

// signature is what the Authorization header of a request says.
type signature struct {
	accessKeyID, date, region, service string
	signedHeaders, sig                 string
	token                              string
}

// verify recomputes the SigV4 signature of r with the secret of the key
// that signed it and compares it with the one sent.
func (s *Server) verify(r *http.Request, body []byte) (signature, *apiError) {
	auth := r.Header.Get("Authorization")
	sig, ok := parseAuthorization(auth)
	if !ok {
		return sig, &apiError{status: 403, code: "MissingAuthenticationToken", msg: "Request is missing or has a malformed Authentication Token"}
	}
	sig.token = r.Header.Get("X-Amz-Security-Token")
	s.mu.Lock()
	cred, known := s.creds[sig.accessKeyID]
	s.mu.Unlock()
	if !known {
		return sig, &apiError{status: 403, code: "UnrecognizedClientException", msg: "The security token included in the request is invalid."}
	}
	if sig.token != cred.token {
		return sig, &apiError{status: 403, code: "InvalidClientTokenId", msg: "The security token included in the request is invalid."}
	}
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || at.Format("20060102") != sig.date {
		return sig, &apiError{status: 403, code: "IncompleteSignature", msg: "X-Amz-Date is missing or disagrees with the credential scope"}
	}
	if d := s.Now().Sub(at); d > maxSkew || d < -maxSkew {
		return sig, &apiError{status: 403, code: "SignatureDoesNotMatch", msg: "Signature expired"}
	}
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	switch h := r.Header.Get("X-Amz-Content-Sha256"); {
	case h == "UNSIGNED-PAYLOAD" || strings.HasPrefix(h, "STREAMING-"):
		// S3's unsigned and chunked payloads sign this marker instead.
		payloadHash = h
	case h != "" && h != payloadHash:
		return sig, &apiError{status: 400, code: "XAmzContentSHA256Mismatch", msg: "The provided 'x-amz-content-sha256' header does not match what was computed."}
	}
	want, err := resign(r, sig, cred, payloadHash, at)
	if err != nil || want != auth {
		// Like S3, quote the canonical headers back, session token
		// included: outputs must mask what services echo.
		msg := "The request signature we calculated does not match the signature you provided. Signed headers: " + sig.signedHeaders
		if sig.token != "" {
			msg += "; x-amz-security-token:" + sig.token
		}
		return sig, &apiError{status: 403, code: "SignatureDoesNotMatch", msg: msg}
	}
	return sig, nil
}

// parseAuthorization reads "AWS4-HMAC-SHA256 Credential=AKID/date/region/
// service/aws4_request, SignedHeaders=a;b, Signature=hex".
func parseAuthorization(h string) (signature, bool) {
	var sig signature
	rest, ok := strings.CutPrefix(h, sigv4Prefix)
	if !ok {
		return sig, false
	}
	for _, field := range strings.Split(rest, ", ") {
		k, v, _ := strings.Cut(field, "=")
		switch k {
		case "Credential":
			scope := strings.Split(v, "/")
			if len(scope) != 5 || scope[4] != "aws4_request" {
				return sig, false
			}
			sig.accessKeyID, sig.date, sig.region, sig.service = scope[0], scope[1], scope[2], scope[3]
		case "SignedHeaders":
			sig.signedHeaders = v
		case "Signature":
			sig.sig = v
		}
	}
	return sig, sig.accessKeyID != "" && sig.signedHeaders != "" && sig.sig != ""
}

// resign signs a copy of r carrying only the headers r says it signed,
// with the secret the server holds, and returns its Authorization header.
func resign(r *http.Request, sig signature, cred credential, payloadHash string, at time.Time) (string, error) {
	u, err := url.ParseRequestURI(r.RequestURI)
	if err != nil {
		return "", err
	}
	u.Scheme, u.Host = "https", r.Host
	req := &http.Request{Method: r.Method, URL: u, Host: r.Host, Header: http.Header{}, ContentLength: r.ContentLength}
	for _, h := range strings.Split(sig.signedHeaders, ";") {
		if h == "host" || h == "content-length" {
			continue
		}
		vals := r.Header.Values(h)
		if len(vals) == 0 {
			return "", errMissingSigned
		}
		req.Header[http.CanonicalHeaderKey(h)] = vals
	}
	creds := aws.Credentials{AccessKeyID: sig.accessKeyID, SecretAccessKey: cred.secret, SessionToken: cred.token}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = sig.service == "s3" })
	if err := signer.SignHTTP(context.Background(), creds, req, payloadHash, sig.service, sig.region, at); err != nil {
		return "", err
	}
	return req.Header.Get("Authorization"), nil
}

type sentinel string

func (e sentinel) Error() string { return string(e) }

// errMissingSigned: a header listed as signed is not in the request.
const errMissingSigned = sentinel("a signed header is missing")
