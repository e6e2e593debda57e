package main

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
)

// Salesforce OAuth 2.0 username-password flow, as StreamAlert uses it: the
// connected app's client id and secret and the user's name and password,
// with the user's security token appended to the password.
const tokenPath = "/services/oauth2/token"

// credentials are the secrets of an instance.
type credentials struct {
	clientID      string
	clientSecret  string
	username      string
	password      string
	securityToken string
}

// String, GoString and LogValue keep the secrets out of any message that
// formats credentials by mistake.
func (*credentials) String() string   { return "<salesforce credentials>" }
func (*credentials) GoString() string { return "<salesforce credentials>" }
func (*credentials) LogValue() slog.Value {
	return slog.StringValue("<salesforce credentials>")
}

// tokenForm returns the body of the token request.
func (c *credentials) tokenForm() url.Values {
	return url.Values{
		"grant_type":    {"password"},
		"client_id":     {c.clientID},
		"client_secret": {c.clientSecret},
		"username":      {c.username},
		"password":      {c.password + c.securityToken},
	}
}

// token is an access token and the org's instance it is for.
type token struct {
	access   string
	instance *url.URL
}

// tokenResponse is the JSON of a successful token request.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	InstanceURL string `json:"instance_url"`
}

// parseToken decodes a token response; the instance URL must be https.
func parseToken(body []byte) (token, error) {
	var r tokenResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return token{}, errors.New("token response is not JSON")
	}
	if r.AccessToken == "" {
		return token{}, errors.New("token response has no access_token")
	}
	u, err := url.Parse(r.InstanceURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return token{}, errors.New("token response has no https instance_url")
	}
	u.Path = ""
	return token{access: r.AccessToken, instance: u}, nil
}
