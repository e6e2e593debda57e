package main

import (
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of an instance configuration: StreamAlert's, then the
// labels and priority of new issues.
const (
	propDescriptor = "descriptor"
	propAPIKey     = "api_key"
	propUserName   = "user_name"
	propURL        = "url"
	propProjectKey = "project_key"
	propIssueType  = "issue_type"
	propAggregate  = "aggregate"
	propLabels     = "labels"
	propPriority   = "priority"
)

// streamAlertForbidden is StreamAlert's default input restriction: a space
// or colon would break "service:descriptor" and secret lookups.
const streamAlertForbidden = " :"

// configSchema holds StreamAlert's properties in its order, with its
// masking, credential flags and restrictions (none on the URL), except
// that an issue type may have a space ("Service Request"); then labels,
// priority and the transport.
var configSchema = schema.Schema{Properties: append([]schema.Property{
	{Name: propDescriptor, Description: "A short and unique descriptor for this Jira integration, used in rule outputs (jira-v2:<descriptor>).",
		Required: true, Descriptor: true, ForbiddenChars: streamAlertForbidden, Example: "soc"},
	{Name: propAPIKey, Description: "The Jira API token, generated at https://id.atlassian.com/manage/api-tokens.",
		Required: true, Secret: true, Credential: true, ForbiddenChars: streamAlertForbidden, Example: "ATATT3xFfGF0example0token"},
	{Name: propUserName, Description: "The Jira user name (email address) the API token belongs to.",
		Required: true, Credential: true, ForbiddenChars: streamAlertForbidden, Example: "secops@example.com"},
	{Name: propURL, Description: "Base URL of your Jira instance, such as https://company.atlassian.net.",
		Required: true, Credential: true, Pattern: `https?://\S+`, Example: "https://example.atlassian.net"},
	{Name: propProjectKey, Description: "Jira project KEY where issues should be created.",
		Required: true, Credential: true, ForbiddenChars: streamAlertForbidden, Pattern: `[A-Za-z][A-Za-z0-9_]*`, Example: "SEC"},
	{Name: propIssueType, Description: `The Jira issue type of new issues; case sensitive ("Task", not "task").`,
		Required: true, Credential: true, ForbiddenChars: ":", Example: "Task"},
	{Name: propAggregate, Description: "The Jira aggregation behavior to aggregate alerts by rule name (yes/no): " +
		"yes adds an alert as a comment to the open issue with the same summary.",
		Credential: true, ForbiddenChars: streamAlertForbidden, Pattern: `(?i:yes|no)`, Default: "no"},
	{Name: propLabels, Type: schema.StringList, Description: "Labels of new issues (Jira labels have no spaces); @jira.labels replaces them.",
		ForbiddenChars: " ", Example: "sa,security"},
	{Name: propPriority, Description: "Priority name of new issues, as Jira names it; @jira.priority replaces it. Empty: the project's default.",
		Example: "High"},
}, httpout.TransportProperties...)}
