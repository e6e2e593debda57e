package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
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
const userAgent = "sa-output-jira-v2/" + version

// Publication fields beyond StreamAlert's @jira.issue_summary and
// @jira.description: they replace the labels and priority configured.
const (
	fieldLabels   = "@jira.labels"
	fieldPriority = "@jira.priority"
)

// Jira is the jira-v2 output. One process serves many configured
// instances, each with its own site, token and HTTP client.
type Jira struct {
	*httpout.Base[*target]
}

// target is one configured instance, ready to send. Its Sender masks the
// API token in any text sent back.
type target struct {
	*issue.Client
	base      *url.URL
	userName  string
	apiKey    schema.Secret
	project   string
	issueType string
	aggregate bool
	labels    []string
	priority  string
}

// New returns a jira-v2 output logging to the plugin's standard error.
func New() *Jira {
	return &Jira{httpout.NewBase(httpout.Spec[*target]{
		Info:   saplugin.Info{Name: "jira-v2", Version: version, Description: "File alerts as Jira Cloud issues (API token, REST API 3)"},
		Schema: configSchema,
		Parse:  parseTarget,
	})}
}

// parseTarget converts and checks cfg; the client is left to Use. The
// base URL keeps its path and every REST path is joined onto it, where
// StreamAlert's os.path.join with an absolute path dropped the base.
func parseTarget(cfg schema.Config) (*target, httpout.Transport, []schema.Problem) {
	tr, problems := httpout.ParseTransport(cfg)
	base, more := httpout.URLPolicy{LoopbackHTTP: true}.Parse(propURL, cfg.String(propURL))
	return &target{
		base:      base,
		userName:  cfg.String(propUserName),
		apiKey:    cfg.Secret(propAPIKey),
		project:   cfg.String(propProjectKey),
		issueType: cfg.String(propIssueType),
		aggregate: strings.EqualFold(cfg.String(propAggregate), "yes"),
		labels:    cfg.Strings(propLabels),
		priority:  cfg.String(propPriority),
	}, tr, append(problems, more...)
}

// Secrets implements httpout.Target. The Authorization header carries the
// token base64-encoded, and an error page may quote it back.
func (t *target) Secrets() []string {
	pair := t.userName + ":" + t.apiKey.Reveal()
	return []string{t.apiKey.Reveal(), base64.StdEncoding.EncodeToString([]byte(pair))}
}

// Use implements httpout.Target: it builds the issue client.
func (t *target) Use(s *httpout.Sender) {
	t.Client = &issue.Client{Sender: s, Base: t.base, Version: "3", SearchPath: "rest/api/3/search/jql",
		Auth: basicAuth{t.userName, t.apiKey}, UserAgent: userAgent}
}

// LogAttrs implements httpout.Target.
func (t *target) LogAttrs() []any {
	return []any{"site", t.base.Host, "project", t.project, "aggregate", t.aggregate}
}

// basicAuth is Jira Cloud's API token authentication: Basic
// <user name>:<token>.
type basicAuth struct {
	user string
	key  schema.Secret
}

// Authorize implements issue.Auth.
func (a basicAuth) Authorize(_ context.Context, req *http.Request, _ bool) *saplugin.SendResult {
	req.SetBasicAuth(a.user, a.key.Reveal())
	return nil
}

// Send implements saplugin.Output: file the alert as a new issue, or with
// aggregation as a comment on the open issue of the same summary.
func (j *Jira) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	t, fail := j.Target(req)
	if fail != nil {
		return *fail
	}
	in, err := httpout.Decode(req)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "jira-v2: " + err.Error()}
	}
	is := issue.Issue{
		Project:     t.project,
		IssueType:   t.issueType,
		Summary:     issue.SummaryOf(in),
		Description: description(in),
		Extra:       t.extra(in),
	}
	res := t.File(ctx, is, t.aggregate)
	res.Message = t.Redact(res.Message)
	j.LogSend(req.Instance, res, "alert", in.Alert.ID)
	return res
}

// description is @jira.description as a document (kept as it is when it
// is one already), by default the publication as indented JSON in a code
// block.
func description(in httpout.Input) any {
	raw, ok := in.Field(issue.FieldDescription)
	switch {
	case ok && isDoc(raw):
		return raw
	case ok:
		return textDoc(issue.Truncate(in.String(issue.FieldDescription, ""), issue.MaxText))
	}
	return codeDoc("json", issue.Truncate(issue.PublicationJSON(in, 2), issue.MaxText))
}

// extra is the labels and priority of a new issue: the publication's, or
// the configured ones.
func (t *target) extra(in httpout.Input) map[string]any {
	extra := map[string]any{}
	labels := t.labels
	if raw, ok := in.Field(fieldLabels); ok {
		labels = nil
		var list []string
		if json.Unmarshal(raw, &list) != nil {
			list = strings.Split(in.String(fieldLabels, ""), ",")
		}
		for _, l := range list {
			// Jira refuses a label with a space; joining keeps its words.
			if l = strings.Join(strings.Fields(l), "_"); l != "" {
				labels = append(labels, l)
			}
		}
	}
	if len(labels) > 0 {
		extra["labels"] = labels
	}
	if p := in.String(fieldPriority, t.priority); p != "" {
		extra["priority"] = map[string]string{"name": p}
	}
	return extra
}

// Interface guards.
var (
	_ saplugin.Output     = (*Jira)(nil)
	_ saplugin.Validator  = (*Jira)(nil)
	_ saplugin.Configurer = (*Jira)(nil)
	_ httpout.Target      = (*target)(nil)
)
