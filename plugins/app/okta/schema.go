package main

import (
	"fmt"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of an instance configuration.
const (
	propHostname = "hostname"
	propToken    = "api_token"
	propPageSize = "page_size"
)

// maxPageSize is the System Log API's largest limit.
const maxPageSize = 1000

// configSchema is what the host prompts for and validates.
var configSchema = schema.Schema{Properties: append([]schema.Property{
	appkit.TypeProperty("okta_logevents"),
	{
		Name:        propHostname,
		Description: "Host name of the Okta org, <org>.okta.com or <org>.oktapreview.com.",
		Required:    true,
		Pattern:     `[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.(?:okta|oktapreview)\.com`,
		Example:     "acme.okta.com",
	},
	{
		Name:        propToken,
		Description: "Okta API token (sent as SSWS) of an admin allowed to read the System Log.",
		Required:    true,
		Secret:      true,
		Credential:  true,
		Pattern:     `[A-Za-z0-9_-]{20,128}`,
		Example:     "00Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2Yz3",
	},
	{
		Name:        propPageSize,
		Type:        schema.Integer,
		Description: fmt.Sprintf("Events asked for per request, the limit parameter (1-%d).", maxPageSize),
		Default:     "1000",
	},
}, appkit.Properties(appkit.Defaults{Overlap: 5 * time.Minute})...)}

// settings is an instance configuration in working form.
type settings struct {
	appkit.Settings
	hostname string
	token    string
	pageSize int
}

// parseSettings converts and checks cfg.
func parseSettings(cfg schema.Config) (settings, []schema.Problem) {
	common, problems := appkit.ParseSettings(cfg)
	s := settings{Settings: common, hostname: cfg.String(propHostname), token: cfg.String(propToken),
		pageSize: int(cfg.Int(propPageSize))}
	if s.pageSize < 1 || s.pageSize > maxPageSize {
		problems = append(problems, schema.Problem{Field: propPageSize, Message: fmt.Sprintf("must be between 1 and %d", maxPageSize)})
	}
	return s, problems
}
