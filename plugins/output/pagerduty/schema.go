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
	propServiceKey = "service_key"
	propURL        = pdevent.PropURL
)

// defaultURL is the generic Events API v1 endpoint.
const defaultURL = "https://events.pagerduty.com/generic/2010-04-15/create_event.json"

// streamAlertForbidden is StreamAlert's default input restriction: a space
// or colon would break "service:descriptor" and secret lookups.
const streamAlertForbidden = " :"

// configSchema is what the host prompts for and validates: StreamAlert's
// properties, then the endpoint (a hard-coded default there, which
// overrode any stored value; here a stored value wins) and the transport.
var configSchema = schema.Schema{Properties: append([]schema.Property{
	{
		Name:           propDescriptor,
		Description:    "Short name for this PagerDuty service, used in rule outputs (pagerduty:<descriptor>).",
		Required:       true,
		Descriptor:     true,
		ForbiddenChars: streamAlertForbidden,
		Example:        "soc",
	},
	{
		Name:           propServiceKey,
		Description:    "Service key (integration key) of the PagerDuty service's generic Events API integration.",
		Required:       true,
		Secret:         true,
		Credential:     true,
		ForbiddenChars: streamAlertForbidden,
		Example:        "0123456789abcdef0123456789abcdef",
	},
	{
		Name:        propURL,
		Description: "Events API v1 create_event endpoint; change it only for a test server.",
		Default:     defaultURL,
		Pattern:     `https://\S+`,
	},
}, httpout.TransportProperties...)}
