package main

import (
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of an instance configuration, StreamAlert's.
const (
	propDescriptor = "descriptor"
	propToken      = "ph_auth_token"
	propURL        = "url"
)

// streamAlertForbidden is StreamAlert's default input restriction.
const streamAlertForbidden = " :"

// configSchema holds StreamAlert's properties, then the transport. The
// server is usually self-hosted behind a private CA: StreamAlert turned
// TLS verification off for it, this plugin verifies against ca_file.
var configSchema = schema.Schema{Properties: append([]schema.Property{
	{Name: propDescriptor, Description: "Short name for this Phantom server, used in rule outputs (phantom:<descriptor>).",
		Required: true, Descriptor: true, ForbiddenChars: streamAlertForbidden, Example: "soc"},
	{Name: propToken, Description: "Phantom automation user's auth token, sent as the ph-auth-token header.",
		Required: true, Secret: true, Credential: true, Example: "cGhhbnRvbS1hdXRoLXRva2VuLWV4YW1wbGU="},
	{Name: propURL, Description: "Base URL of the Phantom server (https://hostname); the REST API is under <url>/rest.",
		Required: true, Secret: true, Credential: true, ForbiddenChars: " ", Pattern: `https://\S+`, Example: "https://phantom.example.com"},
}, httpout.TransportProperties...)}
