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

// configSchema follows StreamAlert's slack output: the webhook URL embeds
// the secret, so it is masked and kept in the secret store.
var configSchema = schema.Schema{Properties: []schema.Property{
	{
		Name:           propDescriptor,
		Description:    "A short and unique descriptor for this Slack integration (ie: channel, group, etc).",
		Required:       true,
		Descriptor:     true,
		ForbiddenChars: " :",
		Example:        "soc",
	},
	{
		Name:           propURL,
		Description:    "The full Slack webhook URL, including the secret.",
		Required:       true,
		Secret:         true,
		Credential:     true,
		ForbiddenChars: " ",
		Pattern:        `https://\S+`,
		Example:        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
	},
	{
		Name:        propCAFile,
		Description: "Path to a PEM bundle of CA certificates trusted in addition to the system roots (for a TLS-inspecting proxy).",
		Example:     "/etc/sa/proxy-ca.pem",
	},
}}
