package main

import (
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// version is this plugin's release.
const version = "0.1.0"

// App is the OneLogin app: each poll reads the account's events from where
// the last one stopped.
type App = appkit.Plugin[settings]

// New returns a OneLogin app logging to the plugin's standard error.
func New() *App {
	return &App{
		Spec: appkit.Spec{Name: "onelogin", Version: version, Schema: configSchema, Logger: saplugin.Logger(), Now: time.Now,
			RateLimit: appkit.HeaderLimit("X-RateLimit-Remaining", "X-RateLimit-Reset"), ErrorText: errorText},
		Description: "Gather a OneLogin account's events (onelogin_events)",
		Parse:       parseSettings,
		Poll: func(p *appkit.Poll, s settings) (bool, error) {
			return (&poller{p: p, s: s}).run()
		},
	}
}
