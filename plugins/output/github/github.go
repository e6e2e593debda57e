package main

import (
	"net/url"
	"strings"
	"time"

	"github.com/streamalert-go/sa/internal/cabundle"
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
	*httpout.Base[*target]
}

// target is one configured repository. Its Sender masks the token in any
// text sent back.
type target struct {
	*httpout.Sender
	issues *url.URL
	token  schema.Secret
	labels []string
	repo   string
}

// New returns a github output logging to the plugin's standard error.
func New() *GitHub {
	return &GitHub{httpout.NewBase(httpout.Spec[*target]{
		Info:   saplugin.Info{Name: "github", Version: version, Description: "Open a GitHub issue for each alert"},
		Schema: configSchema,
		Parse:  parseTarget,
	})}
}

// parseTarget converts and checks cfg, reporting the first problem only;
// the Sender is left to Use. The transport is fixed but for the CA bundle.
func parseTarget(cfg schema.Config) (*target, httpout.Transport, []schema.Problem) {
	tr := httpout.Transport{Timeout: timeout, MaxRetryAfter: maxRetryAfter, CAFile: cfg.String(propCAFile)}
	repo := cfg.String(propRepository)
	t := &target{token: cfg.Secret(propAccessToken), labels: splitLabels(cfg.String(propLabels)), repo: repo}
	api, msg := httpout.ParseHTTPS(cfg.String(propAPI))
	if msg != "" {
		return t, tr, []schema.Problem{{Field: propAPI, Message: msg}}
	}
	owner, name, _ := strings.Cut(repo, "/")
	if owner == "." || owner == ".." || name == "." || name == ".." {
		return t, tr, []schema.Problem{{Field: propRepository, Message: "is not a repository name"}}
	}
	if _, err := cabundle.RootCAs(tr.CAFile); err != nil {
		return t, tr, []schema.Problem{{Field: propCAFile, Message: err.Error()}}
	}
	t.issues = api.JoinPath("repos", owner, name, "issues")
	return t, tr, nil
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

// Secrets implements httpout.Target.
func (t *target) Secrets() []string { return []string{t.token.Reveal()} }

// Use implements httpout.Target.
func (t *target) Use(s *httpout.Sender) { t.Sender = s }

// LogAttrs implements httpout.Target.
func (t *target) LogAttrs() []any { return []any{"repository", t.repo, "labels", len(t.labels)} }

// Interface guards.
var (
	_ saplugin.Output     = (*GitHub)(nil)
	_ saplugin.Validator  = (*GitHub)(nil)
	_ saplugin.Configurer = (*GitHub)(nil)
	_ httpout.Target      = (*target)(nil)
)
