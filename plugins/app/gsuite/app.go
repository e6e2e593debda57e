package main

import (
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release.
const version = "0.1.0"

// App is the gsuite app: it reads the instance's application's activities
// in pinned time windows (see poll.go). It keeps access tokens between
// polls, so a token is requested about once an hour rather than on every
// poll.
type App struct {
	appkit.Plugin[appkit.Settings]

	tokens appkit.Cache[string]
}

// New returns a gsuite app logging to the plugin's standard error.
func New() *App {
	a := &App{}
	a.Plugin = appkit.Plugin[appkit.Settings]{
		Spec: appkit.Spec{Name: "gsuite", Version: version, Schema: configSchema, Logger: saplugin.Logger(), Now: time.Now,
			RateLimit: rateLimit, ErrorText: errorText},
		Description: "Gather Google Workspace audit activity (Admin SDK Reports API) for StreamAlert's gsuite_* app types",
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

// ValidateConfig implements saplugin.Validator: the key file must be laid
// out as a service-account key. Messages never quote it.
func (a *App) ValidateConfig(cfg schema.Config) []schema.Problem {
	problems := a.Plugin.ValidateConfig(cfg)
	if _, err := checkKeyFile(cfg.String(propKeyfile)); err != nil {
		problems = append(problems, schema.Problem{Field: propKeyfile, Message: err.Error()})
	}
	return problems
}

// Interface guards.
var (
	_ saplugin.App       = (*App)(nil)
	_ saplugin.Validator = (*App)(nil)
)
