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

// App is the box app. It keeps access tokens between polls.
type App struct {
	log *slog.Logger
	now func() time.Time
	// batchLogs, when set, bounds a batch's logs (tests).
	batchLogs int

	mu     sync.Mutex
	tokens map[string]cachedToken
}

// New returns a box app logging to the plugin's standard error.
func New() *App {
	return &App{log: saplugin.Logger(), now: time.Now, tokens: map[string]cachedToken{}}
}

// Info implements saplugin.Plugin.
func (*App) Info() saplugin.Info {
	return saplugin.Info{
		Name:        "box",
		Version:     version,
		Description: "Gather Box enterprise events (admin_logs) for StreamAlert's box_admin_events app type",
	}
}

// Schema implements saplugin.Plugin.
func (*App) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator: the settings file must be
// laid out as Box generates it. Messages never quote it.
func (*App) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, problems := appkit.ParseSettings(cfg)
	if _, err := checkSettings(cfg.String(propKeyfile)); err != nil {
		problems = append(problems, schema.Problem{Field: propKeyfile, Message: err.Error()})
	}
	return problems
}

// Gather implements saplugin.App: it reads the enterprise's events in
// pinned time windows (see poll.go).
func (a *App) Gather(ctx context.Context, req saplugin.GatherRequest, emit func(saplugin.Batch) error) error {
	spec := appkit.Spec{
		Name: "box", Version: version, Schema: configSchema, Logger: a.log, Now: a.now, ErrorText: errorText,
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
