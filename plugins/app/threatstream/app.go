package main

import (
	"context"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release.
const version = "0.1.0"

// App is the threatstream app: it downloads the indicators changed since
// the state's update_id (see poll.go).
type App struct {
	appkit.Plugin[appkit.Settings]
}

// New returns a threatstream app logging to the plugin's standard error.
func New() *App {
	return &App{appkit.Plugin[appkit.Settings]{
		Spec: appkit.Spec{Name: "threatstream", Version: version, Schema: configSchema, Logger: saplugin.Logger(), Now: time.Now,
			ErrorText: errorText},
		Description: "Download Anomali ThreatStream indicators as IOCs ({ioc_value, ioc_type, sub_type, source, " +
			"expiration_ts}) for sa's threat intel store, as StreamAlert's threat intel downloader does",
		Parse: appkit.ParseSettings,
		Poll: func(p *appkit.Poll, _ appkit.Settings) (bool, error) {
			return newWalker(p).run()
		},
	}}
}

// ValidateConfig implements saplugin.Validator.
func (a *App) ValidateConfig(cfg schema.Config) []schema.Problem {
	return a.Plugin.ValidateConfig(withPolling(cfg))
}

// Gather implements saplugin.App.
func (a *App) Gather(ctx context.Context, req saplugin.GatherRequest, emit func(saplugin.Batch) error) error {
	req.Config = withPolling(req.Config)
	return a.Plugin.Gather(ctx, req, emit)
}

// Interface guards.
var (
	_ saplugin.App       = (*App)(nil)
	_ saplugin.Validator = (*App)(nil)
)
