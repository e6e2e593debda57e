package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release.
const version = "0.1.0"

// App is the Okta app: each poll reads the System Log from where the last
// one stopped, by Okta's polling cursor.
type App struct {
	log *slog.Logger
}

// New returns an Okta app logging to the plugin's standard error.
func New() *App {
	return &App{log: saplugin.Logger()}
}

// Info implements saplugin.Plugin.
func (*App) Info() saplugin.Info {
	return saplugin.Info{Name: "okta", Version: version, Description: "Gather an Okta org's System Log (okta_logevents)"}
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
		return fmt.Errorf("okta: invalid configuration: %w", err)
	}
	spec := appkit.Spec{Name: "okta", Version: version, Schema: configSchema, Logger: a.log,
		RateLimit: appkit.HeaderLimit("X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"), ErrorText: errorText}
	return appkit.Gather(ctx, req, emit, spec, func(p *appkit.Poll) (bool, error) {
		base := &url.URL{Scheme: "https", Host: s.hostname, Path: logsPath}
		return (&poller{p: p, s: s, base: base}).run()
	})
}

// Interface guards.
var (
	_ saplugin.App       = (*App)(nil)
	_ saplugin.Validator = (*App)(nil)
)
