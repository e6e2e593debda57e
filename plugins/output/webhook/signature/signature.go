// Package signature signs and verifies the bodies sa's webhook output
// sends, so a receiver can check that a request came from sa and is fresh.
//
// The X-SA-Signature header is "t=<unix seconds>,v1=<hex>", where hex is
// HMAC-SHA256 keyed with the shared signing secret over "<t>.<body>".
// Binding the timestamp into the MAC lets a receiver refuse replays older
// than its tolerance; the "v1" label leaves room for another scheme later.
package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Header is the request header carrying the signature.
const Header = "X-SA-Signature"

// Errors returned by Verify.
var (
	ErrMalformed = errors.New("signature header is malformed")
	ErrMismatch  = errors.New("signature does not match")
	ErrStale     = errors.New("signature timestamp is outside the tolerance")
)

// Sign returns the header value for body signed with secret at time t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

// Verify checks a header value against body and secret. A timestamp more
// than tolerance away from now is refused; a zero tolerance skips that check.
// Several v1 values are accepted, so a sender may sign with two secrets
// while they are rotated.
func Verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, sigs, err := parse(header)
	if err != nil {
		return err
	}
	want := mac(secret, ts, body)
	matched := false
	for _, s := range sigs {
		got, err := hex.DecodeString(s)
		if err == nil && hmac.Equal(got, want) {
			matched = true
		}
	}
	if !matched {
		return ErrMismatch
	}
	if tolerance > 0 {
		sec, _ := strconv.ParseInt(ts, 10, 64)
		if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
			return fmt.Errorf("%w: %s old", ErrStale, d.Round(time.Second))
		}
	}
	return nil
}

// parse splits a header value into its timestamp and v1 signatures.
func parse(header string) (ts string, sigs []string, err error) {
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return "", nil, ErrMalformed
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil || len(sigs) == 0 {
		return "", nil, ErrMalformed
	}
	return ts, sigs, nil
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}
