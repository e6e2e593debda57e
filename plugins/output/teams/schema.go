package main

import (
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of an instance configuration: StreamAlert's, plus ca_file.
// The webhook reads the last two.
const (
	propDescriptor = "descriptor"
	propURL        = httpout.PropWebhookURL
	propCAFile     = httpout.PropCAFile
)

// configSchema follows StreamAlert's teams output: the webhook URL embeds
// the secret, so it is masked and kept in the secret store. StreamAlert left
// the URL with its default restrictions, which forbid ':' and so every URL;
// sa forbids only spaces.
var configSchema = schema.Schema{Properties: []schema.Property{
	{
		Name:           propDescriptor,
		Description:    "A short and unique descriptor for this Microsoft Teams integration.",
		Required:       true,
		Descriptor:     true,
		ForbiddenChars: " :",
		Example:        "soc",
	},
	{
		Name:           propURL,
		Description:    "The full Microsoft Teams incoming webhook URL, including the secret.",
		Required:       true,
		Secret:         true,
		Credential:     true,
		ForbiddenChars: " ",
		Pattern:        `https://\S+`,
		Example:        "https://example.webhook.office.com/webhookb2/00000000-0000-0000-0000-000000000000/IncomingWebhook/abc/def",
	},
	{
		Name:        propCAFile,
		Description: "Path to a PEM bundle of CA certificates trusted in addition to the system roots (for a TLS-inspecting proxy).",
		Example:     "/etc/sa/proxy-ca.pem",
	},
}}
