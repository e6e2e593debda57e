package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release; it also appears in the User-Agent.
const version = "0.1.0"

const userAgent = "sa-output-teams/" + version

// Delivery limits. StreamAlert used 3.05 s, which a busy connector
// exceeds.
const (
	timeout       = 10 * time.Second
	maxRetryAfter = 15 * time.Minute
)

// Teams is the teams output. One process serves every configured webhook.
type Teams struct {
	log       *slog.Logger
	now       func() time.Time
	instances httpout.Instances[*target]
}

// target is one configured webhook.
type target struct {
	*httpout.Sender
	url *url.URL
}

// New returns a teams output logging to the plugin's standard error.
func New() *Teams {
	s := &Teams{log: saplugin.Logger(), now: time.Now}
	s.instances.Build = s.build
	return s
}

// Info implements saplugin.Plugin.
func (*Teams) Info() saplugin.Info {
	return saplugin.Info{Name: "teams", Version: version, Description: "Post alerts as message cards to a Microsoft Teams incoming webhook"}
}

// Schema implements saplugin.Plugin.
func (*Teams) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator.
func (*Teams) ValidateConfig(cfg schema.Config) []schema.Problem {
	if _, msg := httpout.ParseHTTPS(cfg.String(propURL)); msg != "" {
		return []schema.Problem{{Field: propURL, Message: msg}}
	}
	if _, err := httpout.RootCAs(cfg.String(propCAFile)); err != nil {
		return []schema.Problem{{Field: propCAFile, Message: err.Error()}}
	}
	return nil
}

// Configure implements saplugin.Configurer.
func (s *Teams) Configure(ctx context.Context, instance string, cfg schema.Config) error {
	if _, err := s.instances.Configure(ctx, instance, cfg); err != nil {
		return err
	}
	s.log.Info("instance configured", "instance", instance)
	return nil
}

func (s *Teams) build(cfg schema.Config) (*target, error) {
	if err := schema.ProblemsError(s.ValidateConfig(cfg)); err != nil {
		return nil, fmt.Errorf("teams: invalid configuration: %w", err)
	}
	u, _ := httpout.ParseHTTPS(cfg.String(propURL))
	client, err := httpout.NewClient(timeout, cfg.String(propCAFile))
	if err != nil {
		return nil, fmt.Errorf("teams: %w", err)
	}
	redact := httpout.NewRedactor(httpout.URLSecrets(u)...)
	return &target{url: u, Sender: &httpout.Sender{Client: client, Redact: redact, MaxRetryAfter: maxRetryAfter, Now: s.now}}, nil
}

// Send implements saplugin.Output: one POST of the card to the webhook.
func (s *Teams) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	t, err := s.instances.Get(req.Instance, req.Config)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: err.Error()}
	}
	in, err := httpout.Decode(req)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "teams: " + err.Error()}
	}
	body, err := render(in)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: "teams: " + err.Error()}
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url.String(), bytes.NewReader(body))
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: t.Redact("teams: build request: " + err.Error())}
	}
	httpReq.Header.Set("Content-Type", "application/json; charset=utf-8")
	httpReq.Header.Set("User-Agent", userAgent)
	res := t.Do(httpReq, classify)
	s.log.Debug("send", "instance", req.Instance, "alert", in.Alert.ID, "status", res.Status.String(), "message", res.Message)
	return res
}

// Interface guards.
var (
	_ saplugin.Output     = (*Teams)(nil)
	_ saplugin.Validator  = (*Teams)(nil)
	_ saplugin.Configurer = (*Teams)(nil)
)
