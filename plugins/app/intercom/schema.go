package main

import (
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of an instance configuration.
const (
	propToken   = "token"
	propRegion  = "region"
	propVersion = "api_version"
)

// hosts are Intercom's regional API hosts.
var hosts = map[string]string{"us": "api.intercom.io", "eu": "api.eu.intercom.io", "au": "api.au.intercom.io"}

// configSchema is what the host prompts for and validates. The token
// pattern is StreamAlert's.
var configSchema = schema.Schema{Properties: append([]schema.Property{
	appkit.TypeProperty("intercom_admin_activity_logs"),
	{
		Name:        propToken,
		Description: "Access token of the Intercom app installed for sa (Settings > Developer Hub), allowed to read admins.",
		Required:    true,
		Secret:      true,
		Credential:  true,
		Pattern:     `dG9r[0-9A-Za-z+/=]*`,
		Example:     "dG9rOjEyMzQ1Njc4OTBhYmNkZWZfMTIzNDU2Nzg5MA==",
	},
	{
		Name:        propRegion,
		Description: "Region the workspace's data is hosted in: us (api.intercom.io), eu (api.eu.intercom.io) or au (api.au.intercom.io).",
		Pattern:     `us|eu|au`,
		Default:     "us",
	},
	{
		Name:        propVersion,
		Description: "Intercom API version sent in the Intercom-Version header.",
		Pattern:     `[12]\.[0-9]{1,2}|Unstable|Preview`,
		Default:     "2.14",
	},
}, appkit.Properties(appkit.Defaults{Overlap: 10 * time.Minute})...)}

// settings is an instance configuration in working form.
type settings struct {
	appkit.Settings
	token, host, version string
}

// parseSettings converts and checks cfg.
func parseSettings(cfg schema.Config) (settings, []schema.Problem) {
	common, problems := appkit.ParseSettings(cfg)
	return settings{Settings: common, token: cfg.String(propToken), host: hosts[cfg.String(propRegion)],
		version: cfg.String(propVersion)}, problems
}
