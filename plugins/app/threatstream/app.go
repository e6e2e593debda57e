package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release.
const version = "0.1.0"

// App is the threatstream app.
type App struct {
	log *slog.Logger
	now func() time.Time
	// batchLogs, when set, bounds a batch's logs (tests).
	batchLogs int
}

// New returns a threatstream app logging to the plugin's standard error.
func New() *App {
	return &App{log: saplugin.Logger(), now: time.Now}
}

// Info implements saplugin.Plugin.
func (*App) Info() saplugin.Info {
	return saplugin.Info{
		Name:    "threatstream",
		Version: version,
		Description: "Download Anomali ThreatStream indicators as IOCs ({ioc_value, ioc_type, sub_type, source, " +
			"expiration_ts}) for sa's threat intel store, as StreamAlert's threat intel downloader does",
	}
}

// Schema implements saplugin.Plugin.
func (*App) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator.
func (*App) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, problems := appkit.ParseSettings(withPolling(cfg))
	return problems
}

// Gather implements saplugin.App: it downloads the indicators changed
// since the state's update_id (see poll.go).
func (a *App) Gather(ctx context.Context, req saplugin.GatherRequest, emit func(saplugin.Batch) error) error {
	req.Config = withPolling(req.Config)
	spec := appkit.Spec{
		Name: "threatstream", Version: version, Schema: configSchema, Logger: a.log, Now: a.now, ErrorText: errorText,
	}
	return appkit.Gather(ctx, req, emit, spec, func(p *appkit.Poll) (bool, error) {
		if a.batchLogs > 0 {
			p.Batcher().MaxLogs = a.batchLogs
		}
		return a.newWalker(p).run()
	})
}

// Interface guards.
var (
	_ saplugin.App       = (*App)(nil)
	_ saplugin.Validator = (*App)(nil)
)
