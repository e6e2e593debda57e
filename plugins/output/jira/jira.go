package main

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	"github.com/streamalert-go/sa/plugins/output/jira/issue"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release; it also appears in the User-Agent.
const version = "0.1.0"

// userAgent identifies the plugin to Jira.
const userAgent = "sa-output-jira/" + version

// Jira is the jira output. One process serves many configured instances,
// each with its own server, session and HTTP client.
type Jira struct {
	log *slog.Logger
	// now is the clock for Retry-After dates.
	now       func() time.Time
	instances httpout.Instances[*target]
}

// target is one configured instance, ready to send. Its Sender masks the
// credentials, the server URL and the session in any text sent back.
type target struct {
	*issue.Client
	base      *url.URL
	project   string
	issueType string
	aggregate bool
	session   *session
}

// New returns a jira output logging to the plugin's standard error.
func New() *Jira {
	j := &Jira{log: saplugin.Logger(), now: time.Now}
	j.instances.Build = j.build
	return j
}

// Info implements saplugin.Plugin.
func (*Jira) Info() saplugin.Info {
	return saplugin.Info{Name: "jira", Version: version, Description: "File alerts as Jira Server issues (session login, REST API 2)"}
}

// Schema implements saplugin.Plugin.
func (*Jira) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator.
func (*Jira) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, _, problems := parseTarget(cfg)
	return problems
}

// Configure implements saplugin.Configurer: it builds the instance's HTTP
// client and replaces any previous one, and with it the session.
func (j *Jira) Configure(ctx context.Context, instance string, cfg schema.Config) error {
	t, err := j.instances.Configure(ctx, instance, cfg)
	if err != nil {
		return err
	}
	j.log.Info("instance configured", "instance", instance, "project", t.project, "aggregate", t.aggregate)
	return nil
}

// build checks cfg and builds its target.
func (j *Jira) build(cfg schema.Config) (*target, error) {
	t, tr, problems := parseTarget(cfg)
	var secrets []string
	if t.base != nil {
		secrets = httpout.URLSecrets(t.base)
	}
	secrets = append(secrets, t.session.username.Reveal(), t.session.password.Reveal())
	s, err := httpout.NewSender("jira", tr, problems, secrets, func() time.Time { return j.now() })
	if err != nil {
		return nil, err
	}
	// The session id is a credential too, learnt at each login.
	static := s.Redact
	s.Redact = func(text string) string { return t.session.redact(static(text)) }
	t.session.sender = s
	t.Client = &issue.Client{Sender: s, Base: t.base, Version: "2", SearchPath: "rest/api/2/search",
		Auth: t.session, Renews: true, UserAgent: userAgent}
	return t, nil
}

// parseTarget converts and checks cfg; the client is left to build.
func parseTarget(cfg schema.Config) (*target, httpout.Transport, []schema.Problem) {
	tr, problems := httpout.ParseTransport(cfg)
	base, more := httpout.URLPolicy{LoopbackHTTP: true}.Parse(propURL, cfg.String(propURL))
	t := &target{
		base:      base,
		project:   cfg.String(propProjectKey),
		issueType: cfg.String(propIssueType),
		aggregate: strings.EqualFold(cfg.String(propAggregate), "yes"),
	}
	t.session = &session{base: base, username: cfg.Secret(propUsername), password: cfg.Secret(propPassword)}
	return t, tr, append(problems, more...)
}

// Send implements saplugin.Output: file the alert as a new issue, or with
// aggregation as a comment on the open issue of the same summary.
func (j *Jira) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	t, err := j.instances.Get(req.Instance, req.Config)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: err.Error()}
	}
	in, err := httpout.Decode(req)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "jira: " + err.Error()}
	}
	is := issue.Issue{
		Project:     t.project,
		IssueType:   t.issueType,
		Summary:     issue.SummaryOf(in),
		Description: issue.Truncate(in.String(issue.FieldDescription, "{code:JSON}"+issue.PublicationJSON(in, 0)+"{code}"), issue.MaxText),
	}
	res := t.File(ctx, is, t.aggregate)
	res.Message = t.Redact(res.Message)
	j.log.Debug("send", "instance", req.Instance, "alert", in.Alert.ID, "status", res.Status.String(), "message", res.Message)
	return res
}

// Interface guards.
var (
	_ saplugin.Output     = (*Jira)(nil)
	_ saplugin.Validator  = (*Jira)(nil)
	_ saplugin.Configurer = (*Jira)(nil)
)
