package main

import "github.com/streamalert-go/sa/sdk/schema"

// Property names of an instance configuration: StreamAlert's, plus ca_file.
const (
	propDescriptor = "descriptor"
	propAPIID      = "victorops_api_id"
	propAPIKey     = "victorops_api_key"
	propURL        = "url"
	propRoutingKey = "routing_key"
	propCAFile     = "ca_file"
)

// configSchema follows StreamAlert's victorops output: every property but
// the descriptor is a masked credential. StreamAlert left the URL with its
// default restrictions, which forbid ':' and so every URL; sa forbids only
// spaces.
var configSchema = schema.Schema{Properties: []schema.Property{
	{
		Name:           propDescriptor,
		Description:    "A short and unique descriptor for this VictorOps integration.",
		Required:       true,
		Descriptor:     true,
		ForbiddenChars: " :",
		Example:        "oncall",
	},
	{
		Name: propAPIID, Description: "The API Id for this VictorOps integration.",
		Required: true, Secret: true, Credential: true, ForbiddenChars: " :", Example: "0a1b2c3d",
	},
	{
		Name: propAPIKey, Description: "The API Key for this VictorOps integration.",
		Required: true, Secret: true, Credential: true, ForbiddenChars: " :", Example: "example-api-key-0000",
	},
	{
		Name: propURL,
		Description: "The endpoint url for this VictorOps integration: the REST endpoint URL without the routing key, " +
			"https://alert.victorops.com/integrations/generic/20131114/alert/<REST key>.",
		Required: true, Secret: true, Credential: true, ForbiddenChars: " ", Pattern: `https://\S+`,
		Example: "https://alert.victorops.com/integrations/generic/20131114/alert/00000000-0000-0000-0000-000000000000",
	},
	{
		Name: propRoutingKey, Description: "The endpoint routing key for this VictorOps integration.",
		Required: true, Secret: true, Credential: true, ForbiddenChars: " :", Example: "security",
	},
	{
		Name:        propCAFile,
		Description: "Path to a PEM bundle of CA certificates trusted in addition to the system roots (for a TLS-inspecting proxy).",
		Example:     "/etc/sa/proxy-ca.pem",
	},
}}
