package main

import (
	"strings"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of an instance configuration, StreamAlert's auth names.
const (
	propKeyfile    = "keyfile"
	propDelegation = "delegation_email"
)

// applications are the Reports API applications StreamAlert has an app
// type for (gsuite_<application>).
var applications = []string{
	"access_transparency", "admin", "calendar", "drive", "gcp", "groups", "groups_enterprise", "gplus",
	"login", "meet", "mobile", "rules", "saml", "token", "user_accounts",
}

// appTypes are the StreamAlert app types of this plugin.
func appTypes() []string {
	out := make([]string, len(applications))
	for i, a := range applications {
		out[i] = "gsuite_" + a
	}
	return out
}

// application returns the Reports API application of an app type.
func application(appType string) string { return strings.TrimPrefix(appType, "gsuite_") }

// delegationPattern is StreamAlert's check of delegation_email.
const delegationPattern = `[A-Za-z0-9-_.+]+@[A-Za-z0-9-.]+\.[A-Za-z]{2,}`

// keyfileExample shows the layout of a key file; its key is a stand-in.
const keyfileExample = `{"type": "service_account", "project_id": "my-project", "private_key_id": "0123456789abcdef", ` +
	`"private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n", ` +
	`"client_email": "sa-reports@my-project.iam.gserviceaccount.com", "token_uri": "https://oauth2.googleapis.com/token"}`

// Defaults of the polling properties. Google reports some applications'
// events tens of minutes to a couple of hours late, so the overlap is
// wide; events are recognised by id, so it costs reads, not duplicates.
var defaults = appkit.Defaults{Overlap: time.Hour, Lookback: time.Hour}

// configSchema is what the host prompts for and validates.
var configSchema = schema.Schema{Properties: append([]schema.Property{
	appkit.TypeProperty(appTypes()...),
	{
		Name: propKeyfile,
		Description: "Content of the JSON key file of a Google Cloud service account with domain-wide delegation for " +
			"the scope https://www.googleapis.com/auth/admin.reports.audit.readonly (the file's text, not its path).",
		Required:   true,
		Secret:     true,
		Credential: true,
		Example:    keyfileExample,
	},
	{
		Name:        propDelegation,
		Description: "Email address of the Workspace administrator the service account acts for.",
		Required:    true,
		Credential:  true,
		Pattern:     delegationPattern,
		Example:     "admin@example.com",
	},
}, appkit.Properties(defaults)...)}
