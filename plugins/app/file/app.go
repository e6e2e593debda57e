package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release.
const version = "0.1.0"

// App is the file app: each poll reads the lines added to the configured
// files since the state it is given, and checkpoints per file.
type App struct {
	log *slog.Logger
}

// New returns a file app logging to the plugin's standard error.
func New() *App {
	return &App{log: saplugin.Logger()}
}

// Info implements saplugin.Plugin.
func (*App) Info() saplugin.Info {
	return saplugin.Info{
		Name:        "file",
		Version:     version,
		Description: "Gather newline-delimited logs from a local file or directory (.gz included)",
	}
}

// Schema implements saplugin.Plugin.
func (*App) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator.
func (*App) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, problems := parseSettings(cfg)
	return problems
}

// Gather implements saplugin.App. Files are read in name order; a batch is
// emitted whenever batch_size logs are pending, each with the state that
// covers exactly the lines emitted so far. When the budget or ctx ends
// first, the last batch says More.
func (a *App) Gather(ctx context.Context, req saplugin.GatherRequest, emit func(saplugin.Batch) error) error {
	cfg, problems := parseSettings(req.Config)
	if err := schema.ProblemsError(problems); err != nil {
		return fmt.Errorf("file: invalid configuration: %w", err)
	}
	if req.Budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, req.Budget)
		defer cancel()
	}
	old, err := decodeState(req.State)
	if err != nil {
		return err
	}
	files, err := listFiles(cfg.path, cfg.pattern)
	if err != nil {
		return err
	}
	g := &gatherer{ctx: ctx, cfg: cfg, log: a.log.With("instance", req.Instance), emit: emit,
		st: &state{V: stateVersion, Files: carryOver(old.Files, files)}, last: req.State}
	more := false
	for _, f := range files {
		if err := g.file(f); err != nil {
			if !errors.Is(err, errStopped) {
				return err
			}
			more = true
			break
		}
	}
	return g.finish(more)
}

// Interface guards.
var (
	_ saplugin.App       = (*App)(nil)
	_ saplugin.Validator = (*App)(nil)
)
