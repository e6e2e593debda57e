package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release.
const version = "0.1.0"

// App is the salesforce app. It keeps each org's session and API version
// between polls.
type App struct {
	log *slog.Logger
	now func() time.Time
	// batchLogs, when set, bounds a batch's logs (tests).
	batchLogs int

	mu       sync.Mutex
	sessions map[string]session
}

// New returns a salesforce app logging to the plugin's standard error.
func New() *App {
	return &App{log: saplugin.Logger(), now: time.Now, sessions: map[string]session{}}
}

// Info implements saplugin.Plugin.
func (*App) Info() saplugin.Info {
	return saplugin.Info{
		Name:    "salesforce",
		Version: version,
		Description: "Gather Salesforce event log files for StreamAlert's salesforce_* app types; each CSV row is " +
			"emitted as a JSON object keyed by the file's header (string values): classify it with a json schema " +
			"of those columns, one log type per event type (salesforce:login, ...)",
	}
}

// Schema implements saplugin.Plugin.
func (*App) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator.
func (*App) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, problems := appkit.ParseSettings(cfg)
	return problems
}

// Gather implements saplugin.App: it reads the event type's new log files
// and emits their rows (see poll.go).
func (a *App) Gather(ctx context.Context, req saplugin.GatherRequest, emit func(saplugin.Batch) error) error {
	spec := appkit.Spec{
		Name: "salesforce", Version: version, Schema: configSchema, Logger: a.log, Now: a.now, ErrorText: errorText,
	}
	return appkit.Gather(ctx, req, emit, spec, func(p *appkit.Poll) (bool, error) {
		if a.batchLogs > 0 {
			p.Batcher().MaxLogs = a.batchLogs
		}
		w, err := a.newWalker(p)
		if err != nil {
			return false, err
		}
		return w.run()
	})
}

// Interface guards.
var (
	_ saplugin.App       = (*App)(nil)
	_ saplugin.Validator = (*App)(nil)
)
