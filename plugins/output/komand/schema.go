package main

import (
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of an instance configuration, StreamAlert's.
const (
	propDescriptor = "descriptor"
	propAuthToken  = "komand_auth_token"
	propURL        = "url"
)

// streamAlertForbidden is StreamAlert's default input restriction: a space
// or colon would break "service:descriptor" and secret lookups.
const streamAlertForbidden = " :"

// configSchema holds StreamAlert's properties, masked and stored as
// credentials as there, then the transport. The URL forbids only spaces:
// StreamAlert's default restriction forbade the colon of every URL, and
// applied only because masked input was never checked at its prompt.
var configSchema = schema.Schema{Properties: append([]schema.Property{
	{Name: propDescriptor, Description: "A short and unique descriptor for this Komand integration, used in rule outputs (komand:<descriptor>).",
		Required: true, Descriptor: true, ForbiddenChars: streamAlertForbidden, Example: "soc"},
	{Name: propAuthToken, Description: "The auth token for this Komand integration: the InsightConnect API key the trigger requires. " +
		"Example: 00000000-0000-0000-0000-000000000000.",
		Required: true, Secret: true, Credential: true, ForbiddenChars: streamAlertForbidden, Example: "00000000-0000-0000-0000-000000000000"},
	{Name: propURL, Description: "The endpoint url of the trigger. Example: https://YOUR-KOMAND-HOST.com/v2/triggers/GUID/events.",
		Required: true, Secret: true, Credential: true, ForbiddenChars: " ", Pattern: `https?://\S+`,
		Example: "https://komand.example.com/v2/triggers/00000000-0000-0000-0000-000000000000/events"},
}, httpout.TransportProperties...)}
