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

// App is the gsuite app. It keeps access tokens between polls, so a
// token is requested about once an hour rather than on every poll.
type App struct {
	log *slog.Logger
	now func() time.Time

	// batchLogs, when set, bounds a batch's logs (tests).
	batchLogs int

	mu     sync.Mutex
	tokens map[string]cachedToken
}

// New returns a gsuite app logging to the plugin's standard error.
func New() *App {
	return &App{log: saplugin.Logger(), now: time.Now, tokens: map[string]cachedToken{}}
}

// Info implements saplugin.Plugin.
func (*App) Info() saplugin.Info {
	return saplugin.Info{
		Name:        "gsuite",
		Version:     version,
		Description: "Gather Google Workspace audit activity (Admin SDK Reports API) for StreamAlert's gsuite_* app types",
	}
}

// Schema implements saplugin.Plugin.
func (*App) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator: the key file must be laid
// out as a service-account key. Messages never quote it.
func (*App) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, problems := appkit.ParseSettings(cfg)
	if _, err := checkKeyFile(cfg.String(propKeyfile)); err != nil {
		problems = append(problems, schema.Problem{Field: propKeyfile, Message: err.Error()})
	}
	return problems
}

// Gather implements saplugin.App: it reads the instance's application's
// activities in pinned time windows (see poll.go).
func (a *App) Gather(ctx context.Context, req saplugin.GatherRequest, emit func(saplugin.Batch) error) error {
	spec := appkit.Spec{
		Name: "gsuite", Version: version, Schema: configSchema, Logger: a.log, Now: a.now,
		RateLimit: rateLimit, ErrorText: errorText,
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
