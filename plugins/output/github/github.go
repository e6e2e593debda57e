package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release; it also appears in the User-Agent,
// which GitHub requires.
const version = "0.1.0"

const userAgent = "sa-output-github/" + version

// Delivery limits.
const (
	timeout       = 10 * time.Second
	maxRetryAfter = time.Hour
)

// GitHub is the github output. One process serves every configured
// repository.
type GitHub struct {
	log       *slog.Logger
	now       func() time.Time
	instances httpout.Instances[*target]
}

// target is one configured repository.
type target struct {
	*httpout.Sender
	issues *url.URL
	token  schema.Secret
	labels []string
	repo   string
}

// New returns a github output logging to the plugin's standard error.
func New() *GitHub {
	g := &GitHub{log: saplugin.Logger(), now: time.Now}
	g.instances.Build = g.build
	return g
}

// Info implements saplugin.Plugin.
func (*GitHub) Info() saplugin.Info {
	return saplugin.Info{Name: "github", Version: version, Description: "Open a GitHub issue for each alert"}
}

// Schema implements saplugin.Plugin.
func (*GitHub) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator.
func (*GitHub) ValidateConfig(cfg schema.Config) []schema.Problem {
	if _, msg := httpout.ParseHTTPS(cfg.String(propAPI)); msg != "" {
		return []schema.Problem{{Field: propAPI, Message: msg}}
	}
	owner, repo, _ := strings.Cut(cfg.String(propRepository), "/")
	if owner == "." || owner == ".." || repo == "." || repo == ".." {
		return []schema.Problem{{Field: propRepository, Message: "is not a repository name"}}
	}
	if _, err := httpout.RootCAs(cfg.String(propCAFile)); err != nil {
		return []schema.Problem{{Field: propCAFile, Message: err.Error()}}
	}
	return nil
}

// Configure implements saplugin.Configurer.
func (g *GitHub) Configure(ctx context.Context, instance string, cfg schema.Config) error {
	t, err := g.instances.Configure(ctx, instance, cfg)
	if err != nil {
		return err
	}
	g.log.Info("instance configured", "instance", instance, "repository", t.repo, "labels", len(t.labels))
	return nil
}

func (g *GitHub) build(cfg schema.Config) (*target, error) {
	if err := schema.ProblemsError(g.ValidateConfig(cfg)); err != nil {
		return nil, fmt.Errorf("github: invalid configuration: %w", err)
	}
	api, _ := httpout.ParseHTTPS(cfg.String(propAPI))
	repo := cfg.String(propRepository)
	owner, name, _ := strings.Cut(repo, "/")
	client, err := httpout.NewClient(timeout, cfg.String(propCAFile))
	if err != nil {
		return nil, fmt.Errorf("github: %w", err)
	}
	token := cfg.Secret(propAccessToken)
	return &target{
		Sender: &httpout.Sender{Client: client, Redact: httpout.NewRedactor(token.Reveal()), MaxRetryAfter: maxRetryAfter, Now: g.now},
		issues: api.JoinPath("repos", owner, name, "issues"),
		token:  token,
		labels: splitLabels(cfg.String(propLabels)),
		repo:   repo,
	}, nil
}

// splitLabels splits StreamAlert's comma list. Unlike StreamAlert, blanks
// are dropped: GitHub refuses an empty label name.
func splitLabels(s string) []string {
	labels := []string{}
	for _, l := range strings.Split(s, ",") {
		if l = strings.TrimSpace(l); l != "" {
			labels = append(labels, l)
		}
	}
	return labels
}

// Interface guards.
var (
	_ saplugin.Output     = (*GitHub)(nil)
	_ saplugin.Validator  = (*GitHub)(nil)
	_ saplugin.Configurer = (*GitHub)(nil)
)
