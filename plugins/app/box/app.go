package main

import (
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release.
const version = "0.1.0"

// App is the box app: it reads the enterprise's events in pinned time
// windows (see poll.go). It keeps access tokens between polls.
type App struct {
	appkit.Plugin[appkit.Settings]

	tokens appkit.Cache[string]
}

// New returns a box app logging to the plugin's standard error.
func New() *App {
	a := &App{}
	a.Plugin = appkit.Plugin[appkit.Settings]{
		Spec: appkit.Spec{Name: "box", Version: version, Schema: configSchema, Logger: saplugin.Logger(), Now: time.Now,
			ErrorText: errorText},
		Description: "Gather Box enterprise events (admin_logs) for StreamAlert's box_admin_events app type",
		Parse:       appkit.ParseSettings,
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

// ValidateConfig implements saplugin.Validator: the settings file must be
// laid out as Box generates it. Messages never quote it.
func (a *App) ValidateConfig(cfg schema.Config) []schema.Problem {
	problems := a.Plugin.ValidateConfig(cfg)
	if _, err := checkSettings(cfg.String(propKeyfile)); err != nil {
		problems = append(problems, schema.Problem{Field: propKeyfile, Message: err.Error()})
	}
	return problems
}

// Interface guards.
var (
	_ saplugin.App       = (*App)(nil)
	_ saplugin.Validator = (*App)(nil)
)
