package main

import (
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of an instance configuration, StreamAlert's where it has
// one.
const (
	propDescriptor         = "descriptor"
	propToken              = "token"
	propServiceName        = "service_name"
	propServiceID          = "service_id"
	propEscalationPolicy   = "escalation_policy"
	propEscalationPolicyID = "escalation_policy_id"
	propEmailFrom          = "email_from"
	propIntegrationKey     = "integration_key"
	propAPI                = "api"
	propEventsURL          = "events_url"
)

// Default endpoints.
const (
	defaultAPI       = "https://api.pagerduty.com"
	defaultEventsURL = "https://events.pagerduty.com/v2/enqueue"
)

// streamAlertForbidden is StreamAlert's default input restriction.
const streamAlertForbidden = " :"

// pagerDutyID is the shape of a PagerDuty resource id ("PDBBCC9").
const pagerDutyID = `[A-Z0-9]{2,32}`

// configSchema holds StreamAlert's properties, in its order. Two changes:
// the integration key is masked like pagerduty-v2's routing key (it is the
// same kind of credential), and service_name and escalation_policy, which
// StreamAlert prompted for but never used, are optional labels. The REST
// and events endpoints follow (a hard-coded default there that overrode
// stored values; here a stored value wins), then the transport.
var configSchema = schema.Schema{Properties: append([]schema.Property{
	{Name: propDescriptor, Description: "Short name for this PagerDuty integration, used in rule outputs (pagerduty-incident:<descriptor>).",
		Required: true, Descriptor: true, ForbiddenChars: streamAlertForbidden, Example: "soc"},
	{Name: propToken, Description: "REST API access token. It grants access to the whole PagerDuty account: guard it.",
		Required: true, Secret: true, Credential: true, ForbiddenChars: streamAlertForbidden, Example: "y_NbAkKc66ryYTWUXYEu"},
	{Name: propServiceName, Description: "Name of the PagerDuty service, for reference only.",
		Credential: true, Example: "Security Alerts"},
	{Name: propServiceID, Description: "Id of the PagerDuty service incidents belong to (the PDBBCC9 in /services/PDBBCC9).",
		Required: true, Credential: true, Pattern: pagerDutyID, Example: "PDBBCC9"},
	{Name: propEscalationPolicy, Description: "Name of the default escalation policy, for reference only.",
		Credential: true, Example: "Security On-Call"},
	{Name: propEscalationPolicyID, Description: "Id of the default escalation policy (the PDBBBB0 in /escalation_policies#PDBBBB0).",
		Required: true, Credential: true, Pattern: pagerDutyID, Example: "PDBBBB0"},
	{Name: propEmailFrom, Description: "Email address of the PagerDuty user the token acts as (sent in the From header).",
		Required: true, Credential: true, ForbiddenChars: streamAlertForbidden, Pattern: `[^@\s]+@[^@\s]+`, Example: "secops@example.com"},
	{Name: propIntegrationKey, Description: "Integration (routing) key of the service's Events API v2 integration.",
		Required: true, Secret: true, Credential: true, ForbiddenChars: streamAlertForbidden, Example: "0123456789abcdef0123456789abcdef"},
	{Name: propAPI, Description: "REST API base URL; change it only for a PagerDuty region or a test server.",
		Default: defaultAPI, Pattern: `https://\S+`},
	{Name: propEventsURL, Description: "Events API v2 enqueue endpoint; change it only for a PagerDuty region or a test server.",
		Default: defaultEventsURL, Pattern: `https://\S+`},
}, httpout.TransportProperties...)}
