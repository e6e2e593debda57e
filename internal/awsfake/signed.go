package awsfake

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"testing"
	"time"
)

// Signed wraps h, a stand-in for a service the fake does not speak itself
// (S3 served by gofakes3), with the fake's SigV4 verification: a request
// not signed by the static credentials is answered with S3's 403
// SignatureDoesNotMatch document and fails the test.
func Signed(t testing.TB, h http.Handler) http.Handler {
	v := &Server{t: t, Now: time.Now, creds: map[string]credential{AccessKeyID: {secret: SecretKey}}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if sig, problem := v.verify(r, body); problem != nil || sig.service != "s3" {
			t.Errorf("awsfake: S3 request refused: %v (service %q)", problem, sig.service)
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			_ = xml.NewEncoder(w).Encode(s3Error{Code: "SignatureDoesNotMatch",
				Message: "The request signature we calculated does not match the signature you provided."})
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	})
}

// s3Error is S3's error document.
type s3Error struct {
	XMLName xml.Name `xml:"Error"`
	Code    string
	Message string
}
