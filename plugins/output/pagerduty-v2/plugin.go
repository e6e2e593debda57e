package main

import (
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	"github.com/streamalert-go/sa/plugins/output/internal/pdevent"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// version is this plugin's release; it also appears in the User-Agent.
const version = "0.1.0"

// PagerDuty is the pagerduty-v2 output. One process serves many configured
// instances, each with its own routing key and HTTP client.
type PagerDuty struct {
	*httpout.Base[*pdevent.Endpoint]
}

// New returns a pagerduty-v2 output logging to the plugin's standard error.
func New() *PagerDuty {
	info := saplugin.Info{
		Name:        "pagerduty-v2",
		Version:     version,
		Description: "Trigger PagerDuty incidents through the Events API v2",
	}
	return &PagerDuty{httpout.NewBase(pdevent.EndpointSpec(info, configSchema, propRoutingKey))}
}

// Interface guards.
var (
	_ saplugin.Output     = (*PagerDuty)(nil)
	_ saplugin.Validator  = (*PagerDuty)(nil)
	_ saplugin.Configurer = (*PagerDuty)(nil)
)
