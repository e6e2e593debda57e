package main

import "github.com/streamalert-go/sa/sdk/schema"

// Property names of an instance configuration.
const (
	propDescriptor    = "descriptor"
	propURL           = "url"
	propSigningSecret = "signing_secret"
	propHeaders       = "headers"
	propTimeout       = "timeout_seconds"
	propAllowHTTP     = "allow_http"
	propMaxRetryAfter = "max_retry_after_seconds"
	propCAFile        = "ca_file"
)

// configSchema is what the host prompts for and validates. The URL is a
// credential because webhook URLs usually embed the receiver's token.
var configSchema = schema.Schema{Properties: []schema.Property{
	{
		Name:        propDescriptor,
		Description: "Name of this webhook destination, used in rule outputs (webhook:<descriptor>).",
		Required:    true,
		Descriptor:  true,
		Pattern:     `[A-Za-z0-9_.-]{1,64}`,
		Example:     "soc",
	},
	{
		Name:        propURL,
		Description: "Endpoint the alerts are POSTed to. Stored as a credential: webhook URLs often embed a token.",
		Required:    true,
		Secret:      true,
		Credential:  true,
		Pattern:     `https?://\S+`,
		Example:     "https://hooks.example.com/sa/abc123",
	},
	{
		Name: propSigningSecret,
		Description: "Key for the X-SA-Signature header: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">. " +
			"Leave empty to send unsigned requests.",
		Secret:     true,
		Credential: true,
		Example:    "example-signing-secret-0123456789",
	},
	{
		Name:        propHeaders,
		Type:        schema.StringList,
		Description: "Extra request headers, each written \"Name: value\". Content-Type, User-Agent, Host and the X-SA-* headers are set by the plugin and cannot be overridden.",
		Example:     "X-Team: secops",
	},
	{
		Name:        propTimeout,
		Type:        schema.Integer,
		Description: "Seconds one delivery attempt may take, connection to response (1-300).",
		Default:     "10",
	},
	{
		Name:        propAllowHTTP,
		Type:        schema.Boolean,
		Description: "Allow a plain http:// URL. Alerts and signatures then cross the network unencrypted; use only on a trusted network.",
		Default:     "false",
	},
	{
		Name:        propMaxRetryAfter,
		Type:        schema.Integer,
		Description: "Longest wait in seconds honoured from a Retry-After response header (0-86400).",
		Default:     "900",
	},
	{
		Name:        propCAFile,
		Description: "Path to a PEM bundle of CA certificates trusted in addition to the system roots, for receivers behind a private CA.",
		Example:     "/etc/sa/webhook-ca.pem",
	},
}}
