package main

import (
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// version is this plugin's release.
const version = "0.1.0"

// App is the Slack app: each poll walks the access or integration log
// down to where the last walk ended.
type App = appkit.Plugin[settings]

// New returns a Slack app logging to the plugin's standard error.
func New() *App {
	return &App{
		Spec:        appkit.Spec{Name: "slack", Version: version, Schema: configSchema, Logger: saplugin.Logger(), Now: time.Now},
		Description: "Gather a Slack workspace's access and integration logs (slack_access, slack_integration)",
		Parse:       parseSettings,
		Poll: func(p *appkit.Poll, s settings) (bool, error) {
			return (&walker{p: p, s: s, kind: kinds[s.Type]}).run()
		},
	}
}
