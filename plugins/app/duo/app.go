package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release.
const version = "0.1.0"

// App is the Duo app: each poll reads the authentication or administrator
// log from where the last one stopped.
type App struct {
	log *slog.Logger
	now func() time.Time
}

// New returns a Duo app logging to the plugin's standard error.
func New() *App {
	return &App{log: saplugin.Logger(), now: time.Now}
}

// Info implements saplugin.Plugin.
func (*App) Info() saplugin.Info {
	return saplugin.Info{Name: "duo", Version: version,
		Description: "Gather Duo authentication and administrator logs through the Admin API (duo_auth, duo_admin)"}
}

// Schema implements saplugin.Plugin.
func (*App) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator.
func (*App) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, problems := parseSettings(cfg)
	return problems
}

// Gather implements saplugin.App.
func (a *App) Gather(ctx context.Context, req saplugin.GatherRequest, emit func(saplugin.Batch) error) error {
	s, problems := parseSettings(req.Config)
	if err := schema.ProblemsError(problems); err != nil {
		return fmt.Errorf("duo: invalid configuration: %w", err)
	}
	spec := appkit.Spec{Name: "duo", Version: version, Schema: configSchema, Logger: a.log,
		RateLimit: rateLimit(s.interval), ErrorText: errorText}
	return appkit.Gather(ctx, req, emit, spec, func(p *appkit.Poll) (bool, error) {
		o := &poller{p: p, s: s, path: endpoints[s.Type], sign: signer{ikey: s.ikey, skey: s.skey, now: a.now}}
		return o.run()
	})
}

// Interface guards.
var (
	_ saplugin.App       = (*App)(nil)
	_ saplugin.Validator = (*App)(nil)
)
