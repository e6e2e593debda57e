package main

import (
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of an instance configuration, StreamAlert's.
const (
	propDescriptor = "descriptor"
	propUsername   = "username"
	propPassword   = "password"
	propURL        = "url"
	propProjectKey = "project_key"
	propIssueType  = "issue_type"
	propAggregate  = "aggregate"
)

// streamAlertForbidden is StreamAlert's default input restriction: a space
// or colon would break "service:descriptor" and secret lookups.
const streamAlertForbidden = " :"

// configSchema holds StreamAlert's properties in its order, masked and
// stored as credentials as there, then the transport. Three restrictions
// are eased where StreamAlert's default would refuse real values (it
// never checked masked input at its prompt): a URL may hold a colon, a
// password any character, an issue type a space ("Service Request").
var configSchema = schema.Schema{Properties: append([]schema.Property{
	{Name: propDescriptor, Description: "A short and unique descriptor for this Jira integration, used in rule outputs (jira:<descriptor>).",
		Required: true, Descriptor: true, ForbiddenChars: streamAlertForbidden, Example: "soc"},
	{Name: propUsername, Description: "The Jira username.",
		Required: true, Secret: true, Credential: true, ForbiddenChars: streamAlertForbidden, Example: "secops-bot"},
	{Name: propPassword, Description: "The Jira password.",
		Required: true, Secret: true, Credential: true, Example: "example-password-0123"},
	{Name: propURL, Description: "The Jira url: the base URL of the server (https://jira.example.com, or with its context path).",
		Required: true, Secret: true, Credential: true, ForbiddenChars: " ", Pattern: `https?://\S+`, Example: "https://jira.example.com"},
	{Name: propProjectKey, Description: "The Jira project key issues are filed in.",
		Required: true, Credential: true, ForbiddenChars: streamAlertForbidden, Pattern: `[A-Za-z][A-Za-z0-9_]*`, Example: "SEC"},
	{Name: propIssueType, Description: "The Jira issue type of new issues, as Jira names it (case sensitive).",
		Required: true, Credential: true, ForbiddenChars: ":", Example: "Task"},
	{Name: propAggregate, Description: "The Jira aggregation behavior to aggregate alerts by rule name (yes/no): " +
		"yes adds an alert as a comment to the open issue with the same summary.",
		Credential: true, ForbiddenChars: streamAlertForbidden, Pattern: `(?i:yes|no)`, Default: "no"},
}, httpout.TransportProperties...)}
