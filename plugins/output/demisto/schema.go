package main

import (
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of an instance configuration, StreamAlert's.
const (
	propDescriptor = "descriptor"
	propURL        = "url"
	propToken      = "token"
)

// streamAlertForbidden is StreamAlert's default input restriction.
const streamAlertForbidden = " :"

// configSchema holds StreamAlert's properties, then the transport. The
// server is usually self-hosted behind a private CA: StreamAlert turned
// TLS verification off for it, this plugin verifies against ca_file.
var configSchema = schema.Schema{Properties: append([]schema.Property{
	{Name: propDescriptor, Description: "Short name for this Demisto server, used in rule outputs (demisto:<descriptor>).",
		Required: true, Descriptor: true, ForbiddenChars: streamAlertForbidden, Example: "soc"},
	{Name: propURL, Description: "URL of the Demisto server (https://hostname); incidents are POSTed to <url>/incident.",
		Required: true, Credential: true, ForbiddenChars: " ", Pattern: `https://\S+`, Example: "https://demisto.example.com"},
	{Name: propToken, Description: "Demisto API key, sent as the Authorization header.",
		Required: true, Secret: true, Credential: true, Example: "0123456789ABCDEF0123456789ABCDEF"},
}, httpout.TransportProperties...)}
