package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release; it also appears in the User-Agent.
const version = "0.1.0"

// userAgent identifies the plugin to receivers.
const userAgent = "sa-output-webhook/" + version

// Webhook is the webhook output. One process serves many configured
// instances; each has its own settings and HTTP client, so one receiver's
// slow connections or private CA never affect another's.
type Webhook struct {
	log *slog.Logger
	// now is the clock for signature timestamps and Retry-After dates.
	now func() time.Time

	mu      sync.RWMutex
	targets map[string]*target
}

// target is one configured instance, ready to send.
type target struct {
	settings
	client *http.Client
	// redact masks the URL's secret parts in any text sent back.
	redact func(string) string
}

// New returns a webhook output logging to the plugin's standard error.
func New() *Webhook {
	return &Webhook{log: saplugin.Logger(), now: time.Now, targets: map[string]*target{}}
}

// Info implements saplugin.Plugin.
func (*Webhook) Info() saplugin.Info {
	return saplugin.Info{
		Name:        "webhook",
		Version:     version,
		Description: "POST alerts as HMAC-signed JSON to an HTTPS endpoint",
	}
}

// Schema implements saplugin.Plugin.
func (*Webhook) Schema() schema.Schema { return configSchema }

// ValidateConfig implements saplugin.Validator: it checks what the schema
// cannot express (URL scheme, header syntax, ranges, the CA bundle).
func (*Webhook) ValidateConfig(cfg schema.Config) []schema.Problem {
	s, problems := parseSettings(cfg)
	if len(problems) > 0 {
		return problems
	}
	if _, err := rootCAs(s.caFile); err != nil {
		return []schema.Problem{{Field: propCAFile, Message: err.Error()}}
	}
	return nil
}

// Configure implements saplugin.Configurer: it builds the instance's HTTP
// client and replaces any previous one.
func (w *Webhook) Configure(_ context.Context, instance string, cfg schema.Config) error {
	t, err := newTarget(cfg)
	if err != nil {
		return err
	}
	w.mu.Lock()
	old := w.targets[instance]
	w.targets[instance] = t
	w.mu.Unlock()
	if old != nil {
		old.client.CloseIdleConnections()
	}
	w.log.Info("instance configured", "instance", instance,
		"signed", t.signingSecret != "", "extra_headers", len(t.headers), "timeout", t.timeout.String())
	return nil
}

// target returns the instance's target, building it from cfg when the
// instance was never configured in this process (a host that calls Send
// straight after a restart, or a test).
func (w *Webhook) target(instance string, cfg schema.Config) (*target, error) {
	w.mu.RLock()
	t := w.targets[instance]
	w.mu.RUnlock()
	if t != nil {
		return t, nil
	}
	if err := w.Configure(context.Background(), instance, cfg); err != nil {
		return nil, err
	}
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.targets[instance], nil
}

// newTarget checks cfg and builds the client for it.
func newTarget(cfg schema.Config) (*target, error) {
	s, problems := parseSettings(cfg)
	if err := schema.ProblemsError(problems); err != nil {
		return nil, fmt.Errorf("webhook: invalid configuration: %w", err)
	}
	client, err := newClient(s)
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	return &target{settings: s, client: client, redact: newRedactor(s)}, nil
}

// Interface guards.
var (
	_ saplugin.Output     = (*Webhook)(nil)
	_ saplugin.Validator  = (*Webhook)(nil)
	_ saplugin.Configurer = (*Webhook)(nil)
)
