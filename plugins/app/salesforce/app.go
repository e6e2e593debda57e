package main

import (
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// version is this plugin's release.
const version = "0.1.0"

// App is the salesforce app: it reads the event type's new log files and
// emits their rows (see poll.go). It keeps each org's session and API
// version between polls.
type App struct {
	appkit.Plugin[appkit.Settings]

	sessions appkit.Cache[session]
}

// New returns a salesforce app logging to the plugin's standard error.
func New() *App {
	a := &App{}
	a.Plugin = appkit.Plugin[appkit.Settings]{
		Spec: appkit.Spec{Name: "salesforce", Version: version, Schema: configSchema, Logger: saplugin.Logger(), Now: time.Now,
			ErrorText: errorText},
		Description: "Gather Salesforce event log files for StreamAlert's salesforce_* app types; each CSV row is " +
			"emitted as a JSON object keyed by the file's header (string values): classify it with a json schema " +
			"of those columns, one log type per event type (salesforce:login, ...)",
		Parse: appkit.ParseSettings,
		Poll: func(p *appkit.Poll, _ appkit.Settings) (bool, error) {
			w, err := a.newWalker(p)
			if err != nil {
				return false, err
			}
			return w.run()
		},
	}
	return a
}

// Interface guards.
var (
	_ saplugin.App       = (*App)(nil)
	_ saplugin.Validator = (*App)(nil)
)
