package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release.
const version = "0.1.0"

// App is the OneLogin app: each poll reads the account's events from where
// the last one stopped.
type App struct {
	log *slog.Logger
}

// New returns a OneLogin app logging to the plugin's standard error.
func New() *App {
	return &App{log: saplugin.Logger()}
}

// Info implements saplugin.Plugin.
func (*App) Info() saplugin.Info {
	return saplugin.Info{Name: "onelogin", Version: version, Description: "Gather a OneLogin account's events (onelogin_events)"}
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
		return fmt.Errorf("onelogin: invalid configuration: %w", err)
	}
	spec := appkit.Spec{Name: "onelogin", Version: version, Schema: configSchema, Logger: a.log,
		RateLimit: appkit.HeaderLimit("X-RateLimit-Remaining", "X-RateLimit-Reset"), ErrorText: errorText}
	return appkit.Gather(ctx, req, emit, spec, func(p *appkit.Poll) (bool, error) {
		return (&poller{p: p, s: s}).run()
	})
}

// Interface guards.
var (
	_ saplugin.App       = (*App)(nil)
	_ saplugin.Validator = (*App)(nil)
)
