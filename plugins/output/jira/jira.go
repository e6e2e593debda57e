package main

import (
	"context"
	"net/url"
	"strings"

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
	*httpout.Base[*target]
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
	return &Jira{httpout.NewBase(httpout.Spec[*target]{
		Info:   saplugin.Info{Name: "jira", Version: version, Description: "File alerts as Jira Server issues (session login, REST API 2)"},
		Schema: configSchema,
		Parse:  parseTarget,
	})}
}

// parseTarget converts and checks cfg; the client is left to Use.
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

// Secrets implements httpout.Target: the server URL's parts and the
// credentials.
func (t *target) Secrets() []string {
	return append(httpout.URLSecrets(t.base), t.session.username.Reveal(), t.session.password.Reveal())
}

// Use implements httpout.Target: it builds the issue client, whose
// session logs in through s.
func (t *target) Use(s *httpout.Sender) {
	// The session id is a credential too, learnt at each login.
	static := s.Redact
	s.Redact = func(text string) string { return t.session.redact(static(text)) }
	t.session.sender = s
	t.Client = &issue.Client{Sender: s, Base: t.base, Version: "2", SearchPath: "rest/api/2/search",
		Auth: t.session, Renews: true, UserAgent: userAgent}
}

// LogAttrs implements httpout.Target.
func (t *target) LogAttrs() []any { return []any{"project", t.project, "aggregate", t.aggregate} }

// Send implements saplugin.Output: file the alert as a new issue, or with
// aggregation as a comment on the open issue of the same summary.
func (j *Jira) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	t, fail := j.Target(req)
	if fail != nil {
		return *fail
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
	j.LogSend(req.Instance, res, "alert", in.Alert.ID)
	return res
}

// Interface guards.
var (
	_ saplugin.Output     = (*Jira)(nil)
	_ saplugin.Validator  = (*Jira)(nil)
	_ saplugin.Configurer = (*Jira)(nil)
	_ httpout.Target      = (*target)(nil)
)
