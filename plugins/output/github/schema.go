package main

import "github.com/streamalert-go/sa/sdk/schema"

// Property names: StreamAlert's, with its hard-coded "api" default made a
// property (so GitHub Enterprise works and a stored value is never
// overridden by the default), plus ca_file.
const (
	propDescriptor  = "descriptor"
	propRepository  = "repository"
	propLabels      = "labels"
	propUsername    = "username"
	propAccessToken = "access_token"
	propAPI         = "api"
	propCAFile      = "ca_file"
)

// configSchema follows StreamAlert's github output: every user property is
// a credential, only the token is masked, and the default input
// restrictions (no space, no colon) apply.
var configSchema = schema.Schema{Properties: []schema.Property{
	{
		Name:           propDescriptor,
		Description:    "A short and unique descriptor for this Github integration.",
		Required:       true,
		Descriptor:     true,
		ForbiddenChars: " :",
		Example:        "security-issues",
	},
	{
		Name:           propRepository,
		Description:    "The repository for this integration in the form :username/:repository.",
		Required:       true,
		Credential:     true,
		ForbiddenChars: " :",
		Pattern:        `[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+`,
		Example:        "acme/security-alerts",
	},
	{
		Name:           propLabels,
		Description:    "A comma separated list of labels to apply to issues when they are created.",
		Credential:     true,
		ForbiddenChars: " :",
		Example:        "streamalert,triage",
	},
	{
		Name: propUsername,
		Description: "The username for this integration. Kept for StreamAlert compatibility; " +
			"the access token alone authenticates (Authorization: Bearer).",
		Credential:     true,
		ForbiddenChars: " :",
		Example:        "octocat",
	},
	{
		Name:           propAccessToken,
		Description:    "The access token for the integration: a fine-grained token with Issues write access, or a classic token with repo scope.",
		Required:       true,
		Secret:         true,
		Credential:     true,
		ForbiddenChars: " :",
		Example:        "github_pat_EXAMPLE0000000000000000",
	},
	{
		Name:        propAPI,
		Description: "Base URL of the GitHub REST API; for GitHub Enterprise Server, https://<host>/api/v3.",
		Default:     "https://api.github.com",
		Pattern:     `https://\S+`,
	},
	{
		Name:        propCAFile,
		Description: "Path to a PEM bundle of CA certificates trusted in addition to the system roots (GitHub Enterprise behind a private CA).",
		Example:     "/etc/sa/ghe-ca.pem",
	},
}}
