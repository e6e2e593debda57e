package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
)

// Identities of the test service account.
const (
	testEmail    = "sa-reader@sa-test-project.iam.gserviceaccount.com"
	testKeyID    = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c"
	testDelegate = "admin@example.com"
)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

// rsaKey is the test service account's key, made once per test binary.
func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	return testKey
}

// pkcs8PEM encodes a key as Google's key files carry it.
func pkcs8PEM(t *testing.T, k any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// keyFileJSON returns a service-account key file whose token_uri is
// tokenURI, changed by mutate.
func keyFileJSON(t *testing.T, tokenURI string, mutate func(m map[string]any)) string {
	t.Helper()
	m := map[string]any{
		"type":                        "service_account",
		"project_id":                  "sa-test-project",
		"private_key_id":              testKeyID,
		"private_key":                 pkcs8PEM(t, rsaKey(t)),
		"client_email":                testEmail,
		"client_id":                   "109876543210987654321",
		"auth_uri":                    "https://accounts.google.com/o/oauth2/auth",
		"token_uri":                   tokenURI,
		"auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
		"universe_domain":             "googleapis.com",
	}
	if mutate != nil {
		mutate(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// keyBody is the part of the test key that must never leak.
func keyBody(t *testing.T) string {
	lines := strings.Split(strings.TrimSpace(pkcs8PEM(t, rsaKey(t))), "\n")
	return lines[3]
}

func TestParseKeyFile(t *testing.T) {
	sa, err := parseKeyFile(keyFileJSON(t, "", func(m map[string]any) { delete(m, "token_uri") }))
	if err != nil {
		t.Fatal(err)
	}
	if sa.email != testEmail || sa.keyID != testKeyID || sa.tokenURI != defaultTokenURI || !sa.key.Equal(rsaKey(t)) {
		t.Fatalf("service account %s %s %s", sa.email, sa.keyID, sa.tokenURI)
	}
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey(t))}))
	if _, err := parseKeyFile(keyFileJSON(t, "https://oauth2.googleapis.com/token", func(m map[string]any) { m["private_key"] = pkcs1 })); err != nil {
		t.Fatalf("PKCS #1 key: %v", err)
	}
}

func TestParseKeyFileErrors(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tests := []struct {
		name   string
		mutate func(m map[string]any)
		want   string
	}{
		{"wrong type", func(m map[string]any) { m["type"] = "authorized_user" }, `"type"`},
		{"no email", func(m map[string]any) { delete(m, "client_email") }, "client_email"},
		{"no key", func(m map[string]any) { delete(m, "private_key") }, "private_key"},
		{"truncated key", func(m map[string]any) { m["private_key"] = m["private_key"].(string)[:200] }, "private_key"},
		{"EC key", func(m map[string]any) { m["private_key"] = pkcs8PEM(t, ec) }, "not an RSA key"},
		{"plain http token URI", func(m map[string]any) { m["token_uri"] = "http://oauth2.googleapis.com/token" }, "token_uri"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseKeyFile(keyFileJSON(t, defaultTokenURI, tt.mutate))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one naming %s", err, tt.want)
			}
			secrettest.AssertNoLeak(t, []string{keyBody(t)}, err.Error())
		})
	}
	if _, err := parseKeyFile("not json"); err == nil {
		t.Fatal("accepted text that is not JSON")
	}
}

func TestAssertion(t *testing.T) {
	const tokenURI = "https://oauth2.googleapis.com/token"
	sa, err := parseKeyFile(keyFileJSON(t, tokenURI, nil))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	signed, err := sa.assertion(testDelegate, now)
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(signed, claims, func(*jwt.Token) (any, error) { return &rsaKey(t).PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(testEmail), jwt.WithSubject(testDelegate), jwt.WithAudience(tokenURI))
	if err != nil {
		t.Fatal(err)
	}
	iat, _ := claims.GetIssuedAt()
	exp, _ := claims.GetExpirationTime()
	if tok.Header["kid"] != testKeyID || claims["scope"] != reportsScope || !iat.Equal(now) || exp.Sub(iat.Time) != time.Hour {
		t.Fatalf("header %v claims %v", tok.Header, claims)
	}
}
