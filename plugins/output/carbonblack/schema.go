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

// streamAlertForbidden is StreamAlert's default input restriction: a space
// or colon would break "service:descriptor" and secret lookups.
const streamAlertForbidden = " :"

// configSchema holds StreamAlert's properties, stored as credentials as
// there, then the transport. The token is required: the API refuses every
// call without one.
var configSchema = schema.Schema{Properties: append([]schema.Property{
	{Name: propDescriptor, Description: "A short and unique descriptor for this carbonblack output, used in rule outputs (carbonblack:<descriptor>).",
		Required: true, Descriptor: true, ForbiddenChars: streamAlertForbidden, Example: "edr"},
	{Name: propURL, Description: "URL to the CB Response server [https://hostname].",
		Required: true, Credential: true, ForbiddenChars: " ", Pattern: `https?://\S+`, Example: "https://cb.example.com"},
	{Name: propToken, Description: "API token of a CB Response user allowed to ban hashes (sent as X-Auth-Token).",
		Required: true, Secret: true, Credential: true, ForbiddenChars: streamAlertForbidden, Example: "0123456789abcdef0123456789abcdef01234567"},
}, httpout.TransportProperties...)}
