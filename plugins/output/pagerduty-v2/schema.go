package main

import (
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	"github.com/streamalert-go/sa/plugins/output/internal/pdevent"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of an instance configuration, StreamAlert's where it has
// one; pdevent.EndpointSpec reads them.
const (
	propDescriptor = pdevent.PropDescriptor
	propRoutingKey = "routing_key"
	propURL        = pdevent.PropURL
)

// defaultURL is the Events API v2 endpoint.
const defaultURL = "https://events.pagerduty.com/v2/enqueue"

// streamAlertForbidden is StreamAlert's default input restriction: a space
// or colon would break "service:descriptor" and secret lookups.
const streamAlertForbidden = " :"

// configSchema is what the host prompts for and validates: StreamAlert's
// properties, then the endpoint (a hard-coded default there, which
// overrode any stored value; here a stored value wins) and the transport.
var configSchema = schema.Schema{Properties: append([]schema.Property{
	{
		Name:           propDescriptor,
		Description:    "Short name for this PagerDuty integration, used in rule outputs (pagerduty-v2:<descriptor>).",
		Required:       true,
		Descriptor:     true,
		ForbiddenChars: streamAlertForbidden,
		Example:        "soc",
	},
	{
		Name:           propRoutingKey,
		Description:    "Integration (routing) key of the PagerDuty service's Events API v2 integration.",
		Required:       true,
		Secret:         true,
		Credential:     true,
		ForbiddenChars: streamAlertForbidden,
		Example:        "0123456789abcdef0123456789abcdef",
	},
	{
		Name:        propURL,
		Description: "Events API v2 enqueue endpoint; change it only for a PagerDuty region or a test server.",
		Default:     defaultURL,
		Pattern:     `https://\S+`,
	},
}, httpout.TransportProperties...)}
