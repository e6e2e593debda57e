package main

import (
	"net/url"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// version is this plugin's release.
const version = "0.1.0"

// App is the Okta app: each poll reads the System Log from where the last
// one stopped, by Okta's polling cursor.
type App = appkit.Plugin[settings]

// New returns an Okta app logging to the plugin's standard error.
func New() *App {
	return &App{
		Spec: appkit.Spec{Name: "okta", Version: version, Schema: configSchema, Logger: saplugin.Logger(), Now: time.Now,
			RateLimit: appkit.HeaderLimit("X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"), ErrorText: errorText},
		Description: "Gather an Okta org's System Log (okta_logevents)",
		Parse:       parseSettings,
		Poll: func(p *appkit.Poll, s settings) (bool, error) {
			base := &url.URL{Scheme: "https", Host: s.hostname, Path: logsPath}
			return (&poller{p: p, s: s, base: base}).run()
		},
	}
}
