package main

import (
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of an instance configuration, as StreamAlert's
// required_auth_info names them.
const (
	propRegion = "region"
	propID     = "client_id"
	propSecret = "client_secret"
)

// configSchema is what the host prompts for and validates.
var configSchema = schema.Schema{Properties: append([]schema.Property{
	appkit.TypeProperty("onelogin_events"),
	{
		Name:        propRegion,
		Description: "Region of the OneLogin account's API: us (api.us.onelogin.com) or eu (api.eu.onelogin.com).",
		Required:    true,
		Credential:  true,
		Pattern:     `us|eu`,
		Example:     "us",
	},
	{
		Name:        propID,
		Description: "Client ID of a OneLogin API credential with the Read All (or Read Users) scope.",
		Required:    true,
		Secret:      true,
		Credential:  true,
		Pattern:     `[a-z0-9]{64}`,
		Example:     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	},
	{
		Name:        propSecret,
		Description: "Client secret of the OneLogin API credential.",
		Required:    true,
		Secret:      true,
		Credential:  true,
		Pattern:     `[a-z0-9]{64}`,
		Example:     "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
	},
}, appkit.Properties(appkit.Defaults{Overlap: 5 * time.Minute})...)}

// settings is an instance configuration in working form.
type settings struct {
	appkit.Settings
	host, id, secret string
}

// parseSettings converts and checks cfg.
func parseSettings(cfg schema.Config) (settings, []schema.Problem) {
	common, problems := appkit.ParseSettings(cfg)
	return settings{Settings: common, host: "api." + cfg.String(propRegion) + ".onelogin.com",
		id: cfg.String(propID), secret: cfg.String(propSecret)}, problems
}
