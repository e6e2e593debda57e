package main

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
)

// testPassphrase encrypts the keys under testdata (made with OpenSSL 3).
const testPassphrase = "sa-test-passphrase-0f3c"

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	return readTestdataF(t, name)
}

func readTestdataF(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// publicKey is the public half of every testdata key.
func publicKey(t *testing.T) *rsa.PublicKey {
	t.Helper()
	block, _ := pem.Decode([]byte(readTestdata(t, "key-public.pem")))
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PublicKey)
}

func TestParsePrivateKey(t *testing.T) {
	want := publicKey(t)
	tests := []struct {
		file, pass string
		err        string
	}{
		{"key-aes256-sha256.pem", testPassphrase, ""},
		{"key-aes128-sha1.pem", testPassphrase, ""},
		{"key-des3-sha512.pem", testPassphrase, ""},
		{"key-pkcs8.pem", "", ""},
		{"key-pkcs1.pem", "", ""},
		{"key-aes256-sha256.pem", "wrong-passphrase-123", "does not decrypt"},
		{"key-aes128-sha1.pem", "", "does not decrypt"},
		{"key-pbes1.pem", testPassphrase, "only PBES2"},
		{"key-public.pem", "", `PEM "PUBLIC KEY"`},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.pass, func(t *testing.T) {
			text := readTestdata(t, tt.file)
			k, err := parsePrivateKey(text, tt.pass)
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !k.PublicKey.Equal(want) {
					t.Fatal("decrypted key is not the testdata key")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("error %v, want one containing %q", err, tt.err)
			}
			secrettest.AssertNoLeak(t, []string{tt.pass, pemBody(text)}, err.Error())
		})
	}
}

func TestParsePrivateKeyMalformed(t *testing.T) {
	for name, text := range map[string]string{
		"not PEM":       "hello",
		"garbage DER":   "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
		"legacy header": "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00000000000000000000000000000000\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := parsePrivateKey(text, "x"); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// pemBody is the base64 body of a PEM text, the part that must not leak.
func pemBody(text string) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	return strings.Join(lines[1:len(lines)-1], "")
}

// settingsJSON returns a JWT settings file holding the testdata key.
func settingsJSON(t *testing.T, mutate func(m map[string]any)) string {
	t.Helper()
	m := map[string]any{
		"boxAppSettings": map[string]any{
			"clientID":     testClientID,
			"clientSecret": testClientSecret,
			"appAuth": map[string]any{
				"publicKeyID": testKeyID,
				"privateKey":  readTestdata(t, "key-aes256-sha256.pem"),
				"passphrase":  testPassphrase,
			},
		},
		"enterpriseID": testEnterpriseID,
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

// Identifiers of the test app; long and distinctive, for leak checks.
const (
	testClientID     = "k3xq9clientidz0d8w1v5b7n2m4p6r8t"
	testClientSecret = "Sx7QsecretQ2wE4rT6yU8iO0pA1sD3fG"
	testKeyID        = "kid4u2p8"
	testEnterpriseID = "31415926"
)

func TestParseSettings(t *testing.T) {
	s, err := parseSettings(settingsJSON(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if s.clientID != testClientID || s.clientSecret != testClientSecret || s.keyID != testKeyID || s.enterpriseID != testEnterpriseID {
		t.Fatalf("settings %+v", *s)
	}
	for _, text := range secrettest.Render(s) {
		if strings.Contains(text, testClientSecret) || strings.Contains(text, "PRIVATE") {
			t.Fatalf("settings render as %q", text)
		}
	}
}

func TestParseSettingsErrors(t *testing.T) {
	app := func(m map[string]any) map[string]any { return m["boxAppSettings"].(map[string]any) }
	tests := []struct {
		name   string
		mutate func(m map[string]any)
		want   string
	}{
		{"no client id", func(m map[string]any) { delete(app(m), "clientID") }, "boxAppSettings.clientID"},
		{"no secret", func(m map[string]any) { app(m)["clientSecret"] = "" }, "boxAppSettings.clientSecret"},
		{"no key id", func(m map[string]any) { delete(app(m)["appAuth"].(map[string]any), "publicKeyID") }, "publicKeyID"},
		{"no key", func(m map[string]any) { delete(app(m)["appAuth"].(map[string]any), "privateKey") }, "privateKey"},
		{"no enterprise", func(m map[string]any) { delete(m, "enterpriseID") }, "enterpriseID"},
		{"bad passphrase", func(m map[string]any) { app(m)["appAuth"].(map[string]any)["passphrase"] = "nope-nope-nope" }, "does not decrypt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseSettings(settingsJSON(t, tt.mutate))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one naming %s", err, tt.want)
			}
			secrettest.AssertNoLeak(t, []string{testClientSecret, testPassphrase}, err.Error())
		})
	}
	if _, err := parseSettings("{not json"); err == nil {
		t.Fatal("accepted malformed JSON")
	}
}

func TestAssertion(t *testing.T) {
	s, err := parseSettings(settingsJSON(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	const aud = "https://api.box.com/oauth2/token"
	a1, err := s.assertion(aud, now)
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := s.assertion(aud, now)
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(a1, claims, func(tok *jwt.Token) (any, error) { return publicKey(t), nil },
		jwt.WithValidMethods([]string{"RS512"}), jwt.WithAudience(aud), jwt.WithIssuer(testClientID), jwt.WithSubject(testEnterpriseID))
	if err != nil {
		t.Fatal(err)
	}
	if tok.Header["kid"] != testKeyID || claims["box_sub_type"] != "enterprise" {
		t.Errorf("header %v claims %v", tok.Header, claims)
	}
	exp, _ := claims.GetExpirationTime()
	if d := exp.Sub(now.Truncate(time.Second)); d <= 0 || d > 60*time.Second {
		t.Errorf("exp %v after now, want within 60 s", d)
	}
	jti, _ := claims["jti"].(string)
	c2 := jwt.MapClaims{}
	jwt.NewParser().ParseUnverified(a2, c2)
	if len(jti) < 16 || len(jti) > 128 || c2["jti"] == jti {
		t.Errorf("jti %q then %q: want 16-128 characters, unique per assertion", jti, c2["jti"])
	}
}
