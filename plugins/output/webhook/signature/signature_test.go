package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"
)

func TestSignMatchesDocumentedScheme(t *testing.T) {
	secret, body := []byte("example-signing-secret-0123456789"), []byte(`{"id":"a1"}`)
	at := time.Unix(1700000000, 0)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("1700000000." + string(body)))
	want := "t=1700000000,v1=" + hex.EncodeToString(m.Sum(nil))
	if got := Sign(secret, at, body); got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
}

func TestVerify(t *testing.T) {
	secret, body := []byte("example-signing-secret-0123456789"), []byte(`{"id":"a1"}`)
	at := time.Unix(1700000000, 0)
	good := Sign(secret, at, body)
	other := Sign([]byte("another-secret-abcdefghijklmnop"), at, body)
	tests := []struct {
		name      string
		header    string
		body      []byte
		now       time.Time
		tolerance time.Duration
		want      error
	}{
		{"valid", good, body, at.Add(time.Minute), 5 * time.Minute, nil},
		{"no tolerance check", good, body, at.Add(time.Hour), 0, nil},
		{"rotation: second signature matches", other + ",v1=" + good[len("t=1700000000,v1="):], body, at, time.Minute, nil},
		{"body changed", good, []byte(`{"id":"a2"}`), at, time.Minute, ErrMismatch},
		{"wrong secret", other, body, at, time.Minute, ErrMismatch},
		{"timestamp changed", "t=1700000001" + good[len("t=1700000000"):], body, at, time.Minute, ErrMismatch},
		{"stale", good, body, at.Add(10 * time.Minute), 5 * time.Minute, ErrStale},
		{"from the future", good, body, at.Add(-10 * time.Minute), 5 * time.Minute, ErrStale},
		{"empty", "", body, at, 0, ErrMalformed},
		{"no v1", "t=1700000000", body, at, 0, ErrMalformed},
		{"no t", good[len("t=1700000000,"):], body, at, 0, ErrMalformed},
		{"garbage", "hello", body, at, 0, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(secret, tt.header, tt.body, tt.now, tt.tolerance)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}
