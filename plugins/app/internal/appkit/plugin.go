package appkit

import (
	"context"
	"fmt"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Plugin is an app plugin made of its vendor's parts. It answers Info,
// Schema and ValidateConfig from them, and gathers by checking the
// instance's settings and running Gather with the vendor's poll. S is the
// vendor's settings in working form.
type Plugin[S any] struct {
	// Spec names the plugin, holds its schema and configures its client;
	// its Logger and Now are the plugin's log and clock.
	Spec Spec
	// Description is the one line of the plugin's Info.
	Description string
	// Parse converts and checks an instance configuration, the common
	// settings included.
	Parse func(schema.Config) (S, []schema.Problem)
	// RateLimit, when set, chooses the client's rate-limit reading from
	// the settings, in place of Spec.RateLimit.
	RateLimit func(S) RateLimitFunc
	// Poll reads the vendor's pages, as Gather describes.
	Poll func(p *Poll, s S) (more bool, err error)
	// BatchLogs, when set, bounds a batch's logs (tests).
	BatchLogs int
}

// Info implements saplugin.Plugin.
func (a *Plugin[S]) Info() saplugin.Info {
	return saplugin.Info{Name: a.Spec.Name, Version: a.Spec.Version, Description: a.Description}
}

// Schema implements saplugin.Plugin.
func (a *Plugin[S]) Schema() schema.Schema { return a.Spec.Schema }

// ValidateConfig implements saplugin.Validator.
func (a *Plugin[S]) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, problems := a.Parse(cfg)
	return problems
}

// Gather implements saplugin.App.
func (a *Plugin[S]) Gather(ctx context.Context, req saplugin.GatherRequest, emit func(saplugin.Batch) error) error {
	s, problems := a.Parse(req.Config)
	if err := schema.ProblemsError(problems); err != nil {
		return fmt.Errorf("%s: invalid configuration: %w", a.Spec.Name, err)
	}
	spec := a.Spec
	if a.RateLimit != nil {
		spec.RateLimit = a.RateLimit(s)
	}
	return Gather(ctx, req, emit, spec, func(p *Poll) (bool, error) {
		if a.BatchLogs > 0 {
			p.batch.MaxLogs = a.BatchLogs
		}
		return a.Poll(p, s)
	})
}

// Interface guards.
var (
	_ saplugin.App       = (*Plugin[Settings])(nil)
	_ saplugin.Validator = (*Plugin[Settings])(nil)
)
