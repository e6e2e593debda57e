package main

import (
	"fmt"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of an instance configuration, as StreamAlert's
// required_auth_info names them.
const (
	propHostname = "api_hostname"
	propIKey     = "integration_key"
	propSKey     = "secret_key"
	propInterval = "request_interval_seconds"
)

// maxInterval bounds the spacing of log requests.
const maxInterval = 600

// configSchema is what the host prompts for and validates. The patterns
// are StreamAlert's.
var configSchema = schema.Schema{Properties: append([]schema.Property{
	appkit.TypeProperty("duo_auth", "duo_admin"),
	{
		Name:        propHostname,
		Description: "API host name of the Duo account's Admin API application, api-XXXXXXXX.duosecurity.com.",
		Required:    true,
		Credential:  true,
		Pattern:     `api-[a-f0-9]{8}\.duosecurity\.com`,
		Example:     "api-abcdef12.duosecurity.com",
	},
	{
		Name:        propIKey,
		Description: "Integration key of the Admin API application (with the \"Grant read log\" permission).",
		Required:    true,
		Secret:      true,
		Credential:  true,
		Pattern:     `DI[A-Z0-9]{18}`,
		Example:     "DIABCDEFGHIJKLMN1234",
	},
	{
		Name:        propSKey,
		Description: "Secret key of the Admin API application.",
		Required:    true,
		Secret:      true,
		Credential:  true,
		Pattern:     `[a-zA-Z0-9]{40}`,
		Example:     "0123456789abcdefghijABCDEFGHIJ0123456789",
	},
	{
		Name: propInterval,
		Type: schema.Integer,
		Description: fmt.Sprintf("Least seconds between two log requests; Duo asks for no more than about one per minute "+
			"and answers 429 to faster callers (0-%d).", maxInterval),
		Default: "30",
	},
}, appkit.Properties(appkit.Defaults{Overlap: 5 * time.Minute})...)}

// settings is an instance configuration in working form.
type settings struct {
	appkit.Settings
	hostname, ikey, skey string
	interval             time.Duration
}

// parseSettings converts and checks cfg.
func parseSettings(cfg schema.Config) (settings, []schema.Problem) {
	common, problems := appkit.ParseSettings(cfg)
	s := settings{Settings: common, hostname: cfg.String(propHostname), ikey: cfg.String(propIKey), skey: cfg.String(propSKey)}
	if n := cfg.Int(propInterval); n < 0 || n > maxInterval {
		problems = append(problems, schema.Problem{Field: propInterval, Message: fmt.Sprintf("must be between 0 and %d", maxInterval)})
	} else {
		s.interval = time.Duration(n) * time.Second
	}
	return s, problems
}
