package httpout

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/streamalert-go/sa/internal/cabundle"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// PropWebhookURL names the property holding an incoming webhook's URL,
// secret included.
const PropWebhookURL = "url"

// Delivery limits of an incoming webhook. StreamAlert used 3.05 s, which
// Slack answering a message with many attachments, or a busy Teams
// connector, exceeds.
const (
	webhookTimeout       = 10 * time.Second
	webhookMaxRetryAfter = 15 * time.Minute
)

// WebhookSpec is what a vendor adds to an IncomingWebhook.
type WebhookSpec struct {
	// Info describes the plugin. Its name prefixes every message, and
	// with the version makes the User-Agent (sa-output-<name>/<version>).
	Info saplugin.Info
	// Schema has at least PropWebhookURL and PropCAFile.
	Schema schema.Schema
	// Render makes the JSON body posted for an alert. Its errors are
	// permanent: the same alert would fail again.
	Render func(Input) ([]byte, error)
	// Classify reads the vendor's answer; nil is Classify.
	Classify Classifier
}

// IncomingWebhook is an output that posts one JSON body per alert to an
// incoming webhook, a URL whose path holds the secret, as Slack's and
// Teams' do. One process serves every configured webhook.
type IncomingWebhook struct {
	// Log receives the plugin's logs; the plugin's standard error by
	// default.
	Log *slog.Logger
	// Now is the clock Retry-After dates are read against.
	Now func() time.Time

	spec      WebhookSpec
	userAgent string
	instances Instances[*hook]
}

// hook is one configured webhook. Its Sender masks the URL's parts.
type hook struct {
	*Sender
	url *url.URL
}

// NewIncomingWebhook returns the output spec describes, logging to the
// plugin's standard error.
func NewIncomingWebhook(spec WebhookSpec) *IncomingWebhook {
	w := &IncomingWebhook{
		Log:       saplugin.Logger(),
		Now:       time.Now,
		spec:      spec,
		userAgent: "sa-output-" + spec.Info.Name + "/" + spec.Info.Version,
	}
	w.instances.Build = w.build
	return w
}

// Info implements saplugin.Plugin.
func (w *IncomingWebhook) Info() saplugin.Info { return w.spec.Info }

// Schema implements saplugin.Plugin.
func (w *IncomingWebhook) Schema() schema.Schema { return w.spec.Schema }

// ValidateConfig implements saplugin.Validator. Its messages never quote
// the URL, which holds the secret.
func (*IncomingWebhook) ValidateConfig(cfg schema.Config) []schema.Problem {
	if _, msg := ParseHTTPS(cfg.String(PropWebhookURL)); msg != "" {
		return []schema.Problem{{Field: PropWebhookURL, Message: msg}}
	}
	if _, err := cabundle.RootCAs(cfg.String(PropCAFile)); err != nil {
		return []schema.Problem{{Field: PropCAFile, Message: err.Error()}}
	}
	return nil
}

// Configure implements saplugin.Configurer.
func (w *IncomingWebhook) Configure(ctx context.Context, instance string, cfg schema.Config) error {
	if _, err := w.instances.Configure(ctx, instance, cfg); err != nil {
		return err
	}
	w.Log.Info("instance configured", "instance", instance)
	return nil
}

func (w *IncomingWebhook) build(cfg schema.Config) (*hook, error) {
	name := w.spec.Info.Name
	if err := schema.ProblemsError(w.ValidateConfig(cfg)); err != nil {
		return nil, fmt.Errorf("%s: invalid configuration: %w", name, err)
	}
	u, _ := ParseHTTPS(cfg.String(PropWebhookURL))
	client, err := NewClient(webhookTimeout, cfg.String(PropCAFile))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s := &Sender{
		Client:        client,
		Redact:        NewRedactor(URLSecrets(u)...),
		MaxRetryAfter: webhookMaxRetryAfter,
		Now:           func() time.Time { return w.Now() },
	}
	return &hook{Sender: s, url: u}, nil
}

// Send implements saplugin.Output: one POST of the rendered alert to the
// webhook.
func (w *IncomingWebhook) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	h, err := w.instances.Get(req.Instance, req.Config)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: err.Error()}
	}
	prefix := w.spec.Info.Name + ": "
	in, err := Decode(req)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: prefix + err.Error()}
	}
	body, err := w.spec.Render(in)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: prefix + err.Error()}
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url.String(), bytes.NewReader(body))
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: h.Redact(prefix + "build request: " + err.Error())}
	}
	httpReq.Header.Set("Content-Type", "application/json; charset=utf-8")
	httpReq.Header.Set("User-Agent", w.userAgent)
	res := h.Do(httpReq, w.spec.Classify)
	w.Log.Debug("send", "instance", req.Instance, "alert", in.Alert.ID, "status", res.Status.String(), "message", res.Message)
	return res
}

// Interface guards.
var (
	_ saplugin.Output     = (*IncomingWebhook)(nil)
	_ saplugin.Validator  = (*IncomingWebhook)(nil)
	_ saplugin.Configurer = (*IncomingWebhook)(nil)
)
