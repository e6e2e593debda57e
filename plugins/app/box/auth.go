package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Box JWT server authentication: the app signs a short-lived assertion for
// its enterprise with the key whose public half it registered (kid), and
// exchanges it, with its client credentials, at the token endpoint.
const (
	jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	// assertionLife is how long an assertion is valid; Box refuses an
	// expiry more than 60 seconds ahead.
	assertionLife = 45 * time.Second
	// subjectType says the token is for the enterprise's service account.
	subjectType = "enterprise"
)

// settings is what the plugin uses of a Box JWT settings file.
type settings struct {
	clientID     string
	clientSecret string
	keyID        string
	enterpriseID string
	key          *rsa.PrivateKey
}

// String, GoString and LogValue keep the credentials out of any message
// that formats a settings value by mistake.
func (*settings) String() string       { return "<box settings>" }
func (*settings) GoString() string     { return "<box settings>" }
func (*settings) LogValue() slog.Value { return slog.StringValue("<box settings>") }

// settingsFile is the JSON layout of the settings file the Box developer
// console generates (config.json); other members are ignored.
type settingsFile struct {
	BoxAppSettings struct {
		ClientID     string `json:"clientID"`
		ClientSecret string `json:"clientSecret"`
		AppAuth      struct {
			PublicKeyID string `json:"publicKeyID"`
			PrivateKey  string `json:"privateKey"`
			Passphrase  string `json:"passphrase"`
		} `json:"appAuth"`
	} `json:"boxAppSettings"`
	EnterpriseID string `json:"enterpriseID"`
}

// parseSettings reads a JWT settings file and decrypts its private key.
// Errors name the member at fault and never quote a value.
func parseSettings(content string) (*settings, error) {
	f, err := checkSettings(content)
	if err != nil {
		return nil, err
	}
	a := f.BoxAppSettings
	key, err := parsePrivateKey(a.AppAuth.PrivateKey, a.AppAuth.Passphrase)
	if err != nil {
		return nil, err
	}
	return &settings{
		clientID: a.ClientID, clientSecret: a.ClientSecret, keyID: a.AppAuth.PublicKeyID,
		enterpriseID: f.EnterpriseID, key: key,
	}, nil
}

// checkSettings checks the layout of a settings file, as configuration is
// validated: every member the flow needs is there and the private key is
// PEM. The key is decrypted when an instance gathers.
func checkSettings(content string) (*settingsFile, error) {
	var f settingsFile
	if err := json.Unmarshal([]byte(content), &f); err != nil {
		return nil, errors.New("is not the JSON of a Box JWT settings file (the file's content is wanted, not its path)")
	}
	a := f.BoxAppSettings
	for _, m := range []struct{ name, val string }{
		{"boxAppSettings.clientID", a.ClientID},
		{"boxAppSettings.clientSecret", a.ClientSecret},
		{"boxAppSettings.appAuth.publicKeyID", a.AppAuth.PublicKeyID},
		{"boxAppSettings.appAuth.privateKey", a.AppAuth.PrivateKey},
		{"enterpriseID", f.EnterpriseID},
	} {
		if m.val == "" {
			return nil, errors.New("lacks " + m.name)
		}
	}
	if block, _ := pem.Decode([]byte(strings.TrimSpace(a.AppAuth.PrivateKey))); block == nil {
		return nil, errors.New(`"privateKey" is not a PEM private key`)
	}
	return &f, nil
}

// assertion returns the signed JWT for the enterprise, valid from now for
// assertionLife, addressed to the token endpoint aud.
func (s *settings) assertion(aud string, now time.Time) (string, error) {
	jti := make([]byte, 32)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	claims := jwt.MapClaims{
		"iss":          s.clientID,
		"sub":          s.enterpriseID,
		"box_sub_type": subjectType,
		"aud":          aud,
		"jti":          hex.EncodeToString(jti),
		"exp":          now.Add(assertionLife).Unix(),
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS512, claims)
	tok.Header["kid"] = s.keyID
	signed, err := tok.SignedString(s.key)
	if err != nil {
		return "", errors.New("box: sign assertion: " + err.Error())
	}
	return signed, nil
}
