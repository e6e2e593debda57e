package main

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Google's OAuth 2.0 service-account flow: the plugin signs a JWT assertion
// with the service account's key, naming the admin it acts for (sub), and
// exchanges it at the key file's token URI for an access token.
const (
	// reportsScope is the only scope requested: read the audit reports.
	reportsScope = "https://www.googleapis.com/auth/admin.reports.audit.readonly"
	// defaultTokenURI is used when a key file has no token_uri.
	defaultTokenURI = "https://oauth2.googleapis.com/token"
	// jwtBearerGrant is the grant type of an assertion exchange (RFC 7523).
	jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	// assertionLife is how long an assertion is valid; Google accepts at
	// most one hour.
	assertionLife = time.Hour
)

// serviceAccount is what the plugin uses of a service-account key file.
type serviceAccount struct {
	email    string
	keyID    string
	key      *rsa.PrivateKey
	tokenURI string
}

// keyFile is the JSON layout of a key file as the Google Cloud console
// downloads it; other members are ignored.
type keyFile struct {
	Type         string `json:"type"`
	PrivateKeyID string `json:"private_key_id"`
	PrivateKey   string `json:"private_key"`
	ClientEmail  string `json:"client_email"`
	TokenURI     string `json:"token_uri"`
}

// parseKeyFile reads the content of a service-account key file and its
// key. Its errors never quote the content.
func parseKeyFile(content string) (*serviceAccount, error) {
	kf, err := checkKeyFile(content)
	if err != nil {
		return nil, err
	}
	key, err := parseRSAKey(kf.PrivateKey)
	if err != nil {
		return nil, err
	}
	return &serviceAccount{email: kf.ClientEmail, keyID: kf.PrivateKeyID, key: key, tokenURI: kf.TokenURI}, nil
}

// checkKeyFile checks the layout of a key file, as configuration is
// validated: a JSON service-account key holding a PEM private key and an
// https token URI (defaulted when absent). The key itself is parsed when
// an instance gathers.
func checkKeyFile(content string) (*keyFile, error) {
	var kf keyFile
	if err := json.Unmarshal([]byte(content), &kf); err != nil {
		return nil, errors.New("is not the JSON of a service-account key file (the file's content is wanted, not its path)")
	}
	if kf.Type != "service_account" {
		return nil, errors.New(`is not a service-account key file (its "type" must be "service_account")`)
	}
	if kf.ClientEmail == "" {
		return nil, errors.New(`lacks "client_email"`)
	}
	if block, _ := pem.Decode([]byte(strings.TrimSpace(kf.PrivateKey))); block == nil {
		return nil, errors.New(`has no PEM "private_key"`)
	}
	if kf.TokenURI == "" {
		kf.TokenURI = defaultTokenURI
	}
	if u, err := url.Parse(kf.TokenURI); err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, errors.New(`has a "token_uri" that is not an https URL`)
	}
	return &kf, nil
}

// parseRSAKey decodes the PEM private key of a key file: PKCS #8, as
// Google issues them, or PKCS #1.
func parseRSAKey(text string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(text)))
	if block == nil {
		return nil, errors.New(`has no PEM "private_key"`)
	}
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New(`has a "private_key" that does not parse as PKCS #8`)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New(`has a "private_key" that is not an RSA key`)
		}
		return rk, nil
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New(`has a "private_key" that does not parse as PKCS #1`)
		}
		return k, nil
	}
	return nil, fmt.Errorf(`has a "private_key" of PEM type %q, want "PRIVATE KEY"`, block.Type)
}

// assertion returns the signed JWT that asks for a token acting as subject
// (the delegated admin), issued at now.
func (sa *serviceAccount) assertion(subject string, now time.Time) (string, error) {
	claims := jwt.MapClaims{
		"iss":   sa.email,
		"sub":   subject,
		"scope": reportsScope,
		"aud":   sa.tokenURI,
		"iat":   now.Unix(),
		"exp":   now.Add(assertionLife).Unix(),
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	if sa.keyID != "" {
		tok.Header["kid"] = sa.keyID
	}
	s, err := tok.SignedString(sa.key)
	if err != nil {
		return "", fmt.Errorf("sign assertion: %w", err)
	}
	return s, nil
}
