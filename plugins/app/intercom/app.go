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

// App is the Intercom app: each poll reads the admin activity logs of a
// window starting where the last window ended, minus the overlap.
type App struct {
	log *slog.Logger
	now func() time.Time
}

// New returns an Intercom app logging to the plugin's standard error.
func New() *App {
	return &App{log: saplugin.Logger(), now: time.Now}
}

// Info implements saplugin.Plugin.
func (*App) Info() saplugin.Info {
	return saplugin.Info{Name: "intercom", Version: version,
		Description: "Gather an Intercom workspace's admin activity logs (intercom_admin_activity_logs)"}
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
		return fmt.Errorf("intercom: invalid configuration: %w", err)
	}
	spec := appkit.Spec{Name: "intercom", Version: version, Schema: configSchema, Logger: a.log, Now: a.now,
		RateLimit: appkit.HeaderLimit("X-RateLimit-Remaining", "X-RateLimit-Reset"), ErrorText: errorText}
	return appkit.Gather(ctx, req, emit, spec, func(p *appkit.Poll) (bool, error) {
		return (&poller{p: p, s: s, now: a.now}).run()
	})
}

// Interface guards.
var (
	_ saplugin.App       = (*App)(nil)
	_ saplugin.Validator = (*App)(nil)
)
