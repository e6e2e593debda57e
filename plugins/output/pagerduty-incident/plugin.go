package main

import (
	"net/url"
	"strings"
	"time"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release; it also appears in the User-Agent.
const version = "0.1.0"

// userAgent identifies the plugin to PagerDuty.
const userAgent = "sa-output-pagerduty-incident/" + version

// Incident is the pagerduty-incident output. One process serves many
// configured instances, each with its own credentials and HTTP client.
type Incident struct {
	*httpout.Base[*target]
	// searchDelay is the wait between searches for the incident an event
	// opened; PagerDuty indexes it a moment after accepting the event.
	searchDelay time.Duration
}

// target is one configured instance, ready to send. Its Sender masks the
// token and the integration key in any text sent back or logged.
type target struct {
	*httpout.Sender
	descriptor         string
	token              schema.Secret
	integrationKey     schema.Secret
	serviceID          string
	escalationPolicyID string
	emailFrom          string
	api                *url.URL
	eventsURL          *url.URL
}

// New returns a pagerduty-incident output logging to the plugin's
// standard error.
func New() *Incident {
	spec := httpout.Spec[*target]{
		Info: saplugin.Info{
			Name:        "pagerduty-incident",
			Version:     version,
			Description: "Open and shape PagerDuty incidents (Events API v2 and REST API)",
		},
		Schema: configSchema,
		Parse:  parseTarget,
	}
	return &Incident{Base: httpout.NewBase(spec), searchDelay: 2 * time.Second}
}

// parseTarget converts and checks cfg; the Sender is left to Use.
func parseTarget(cfg schema.Config) (*target, httpout.Transport, []schema.Problem) {
	tr, problems := httpout.ParseTransport(cfg)
	api, more := httpout.ParseHTTPSURL(propAPI, cfg.String(propAPI))
	problems = append(problems, more...)
	events, more := httpout.ParseHTTPSURL(propEventsURL, cfg.String(propEventsURL))
	problems = append(problems, more...)
	if api != nil {
		api.Path = strings.TrimRight(api.Path, "/")
	}
	return &target{
		descriptor:         cfg.String(propDescriptor),
		token:              cfg.Secret(propToken),
		integrationKey:     cfg.Secret(propIntegrationKey),
		serviceID:          cfg.String(propServiceID),
		escalationPolicyID: cfg.String(propEscalationPolicyID),
		emailFrom:          cfg.String(propEmailFrom),
		api:                api,
		eventsURL:          events,
	}, tr, problems
}

// Secrets implements httpout.Target.
func (t *target) Secrets() []string { return []string{t.token.Reveal(), t.integrationKey.Reveal()} }

// Use implements httpout.Target.
func (t *target) Use(s *httpout.Sender) { t.Sender = s }

// LogAttrs implements httpout.Target.
func (t *target) LogAttrs() []any { return []any{"api", t.api.Host, "service_id", t.serviceID} }

// Interface guards.
var (
	_ saplugin.Output     = (*Incident)(nil)
	_ saplugin.Validator  = (*Incident)(nil)
	_ saplugin.Configurer = (*Incident)(nil)
	_ httpout.Target      = (*target)(nil)
)
