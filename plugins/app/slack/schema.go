package main

import (
	"fmt"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of an instance configuration.
const (
	propToken    = "auth_token"
	propPageSize = "page_size"
	propRescan   = "rescan_hours"
)

// Bounds of the settings.
const (
	maxPageSize   = 1000
	maxRescanHour = 24 * 30
)

// configSchema is what the host prompts for and validates. The token
// pattern is StreamAlert's.
var configSchema = schema.Schema{Properties: append([]schema.Property{
	appkit.TypeProperty("slack_access", "slack_integration"),
	{
		Name:        propToken,
		Description: "User token (xoxp-) of a workspace admin, with the admin scope, from the app installed for sa.",
		Required:    true,
		Secret:      true,
		Credential:  true,
		Pattern:     `xoxp-[a-zA-Z0-9-]+`,
		Example:     "xoxp-1234567890-1234567890-1234567890-0123456789abcdef",
	},
	{
		Name:        propPageSize,
		Type:        schema.Integer,
		Description: fmt.Sprintf("Log entries asked for per request, the count parameter (1-%d).", maxPageSize),
		Default:     "1000",
	},
	{
		Name: propRescan,
		Type: schema.Integer,
		Description: "slack_access only: an access log entry stands for one user, IP address and user agent, and " +
			"Slack updates it in place (date_last, count) each time that combination is seen again; entries first " +
			fmt.Sprintf("seen up to this many hours before the last poll are read again to collect their updates (0-%d).", maxRescanHour),
		Default: "24",
	},
}, appkit.Properties(appkit.Defaults{Overlap: 10 * time.Minute})...)}

// settings is an instance configuration in working form.
type settings struct {
	appkit.Settings
	token    string
	pageSize int
	rescan   time.Duration
}

// parseSettings converts and checks cfg.
func parseSettings(cfg schema.Config) (settings, []schema.Problem) {
	common, problems := appkit.ParseSettings(cfg)
	s := settings{Settings: common, token: cfg.String(propToken), pageSize: int(cfg.Int(propPageSize))}
	if s.pageSize < 1 || s.pageSize > maxPageSize {
		problems = append(problems, schema.Problem{Field: propPageSize, Message: fmt.Sprintf("must be between 1 and %d", maxPageSize)})
	}
	if n := cfg.Int(propRescan); n < 0 || n > maxRescanHour {
		problems = append(problems, schema.Problem{Field: propRescan, Message: fmt.Sprintf("must be between 0 and %d", maxRescanHour)})
	} else {
		s.rescan = time.Duration(n) * time.Hour
	}
	return s, problems
}
