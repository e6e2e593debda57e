package main

import (
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// version is this plugin's release.
const version = "0.1.0"

// App is the Intercom app: each poll reads the admin activity logs of a
// window starting where the last window ended, minus the overlap.
type App = appkit.Plugin[settings]

// New returns an Intercom app logging to the plugin's standard error.
func New() *App {
	return &App{
		Spec: appkit.Spec{Name: "intercom", Version: version, Schema: configSchema, Logger: saplugin.Logger(), Now: time.Now,
			RateLimit: appkit.HeaderLimit("X-RateLimit-Remaining", "X-RateLimit-Reset"), ErrorText: errorText},
		Description: "Gather an Intercom workspace's admin activity logs (intercom_admin_activity_logs)",
		Parse:       parseSettings,
		Poll: func(p *appkit.Poll, s settings) (bool, error) {
			return (&poller{p: p, s: s}).run()
		},
	}
}
