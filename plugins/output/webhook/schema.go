package main

import (
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of an instance configuration.
const (
	propDescriptor    = "descriptor"
	propURL           = "url"
	propSigningSecret = "signing_secret"
	propHeaders       = "headers"
	propAllowHTTP     = "allow_http"
	propTimeout       = httpout.PropTimeout
	propCAFile        = httpout.PropCAFile
)

// configSchema is what the host prompts for and validates, the transport
// properties last. The URL is a credential because webhook URLs usually
// embed the receiver's token.
var configSchema = schema.Schema{Properties: append([]schema.Property{
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
		Name:        propAllowHTTP,
		Type:        schema.Boolean,
		Description: "Allow a plain http:// URL. Alerts and signatures then cross the network unencrypted; use only on a trusted network.",
		Default:     "false",
	},
}, httpout.TransportProperties...)}
