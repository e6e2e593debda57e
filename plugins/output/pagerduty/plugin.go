package main

import (
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	"github.com/streamalert-go/sa/plugins/output/internal/pdevent"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// version is this plugin's release; it also appears in the User-Agent.
const version = "0.1.0"

// PagerDuty is the pagerduty output. One process serves many configured
// instances, each with its own service key and HTTP client.
type PagerDuty struct {
	*httpout.Base[*pdevent.Endpoint]
}

// New returns a pagerduty output logging to the plugin's standard error.
func New() *PagerDuty {
	info := saplugin.Info{
		Name:        "pagerduty",
		Version:     version,
		Description: "Trigger PagerDuty incidents through the generic Events API v1",
	}
	return &PagerDuty{httpout.NewBase(pdevent.EndpointSpec(info, configSchema, propServiceKey))}
}

// Interface guards.
var (
	_ saplugin.Output     = (*PagerDuty)(nil)
	_ saplugin.Validator  = (*PagerDuty)(nil)
	_ saplugin.Configurer = (*PagerDuty)(nil)
)
