package httpout

import (
	"context"
	"log/slog"
	"time"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Target is one configured instance of a Base output, ready to send.
type Target interface {
	Closer
	// Secrets lists the values its Sender masks in any text sent back or
	// logged: keys, tokens, URLs holding one. It is called before Use,
	// also on a configuration with problems.
	Secrets() []string
	// Use gives it the Sender its requests go through, once its
	// configuration checked out.
	Use(*Sender)
	// LogAttrs are what the log line of a configured instance tells of
	// it, after the instance's name.
	LogAttrs() []any
}

// Spec is what a vendor adds to a Base.
type Spec[T Target] struct {
	// Info describes the plugin. Its name prefixes every configuration
	// error.
	Info saplugin.Info
	// Schema has the vendor's properties, then TransportProperties.
	Schema schema.Schema
	// Parse converts and checks an instance's configuration; its problems
	// are ValidateConfig's. Its target is given a Sender only when there
	// are none.
	Parse func(schema.Config) (T, Transport, []schema.Problem)
}

// Base is the plumbing of an HTTPS output whose instances each build a
// target from their configuration: Info, Schema, ValidateConfig,
// Configure and the registry of instances. A vendor's plugin embeds it
// and adds Send, which starts with Target.
type Base[T Target] struct {
	// Log receives the plugin's logs; the plugin's standard error by
	// default.
	Log *slog.Logger
	// Now is the clock Retry-After dates are read against.
	Now func() time.Time

	spec      Spec[T]
	instances Instances[T]
}

// NewBase returns the plumbing of the output spec describes, logging to
// the plugin's standard error.
func NewBase[T Target](spec Spec[T]) *Base[T] {
	b := &Base[T]{Log: saplugin.Logger(), Now: time.Now, spec: spec}
	b.instances.Build = b.build
	return b
}

// Info implements saplugin.Plugin.
func (b *Base[T]) Info() saplugin.Info { return b.spec.Info }

// Schema implements saplugin.Plugin.
func (b *Base[T]) Schema() schema.Schema { return b.spec.Schema }

// ValidateConfig implements saplugin.Validator.
func (b *Base[T]) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, _, problems := b.spec.Parse(cfg)
	return problems
}

// Configure implements saplugin.Configurer: it builds the instance's
// target, HTTP client included, and replaces any previous one.
func (b *Base[T]) Configure(ctx context.Context, instance string, cfg schema.Config) error {
	t, err := b.instances.Configure(ctx, instance, cfg)
	if err != nil {
		return err
	}
	b.Log.Info("instance configured", append([]any{"instance", instance}, t.LogAttrs()...)...)
	return nil
}

// build checks cfg and builds its target. The Sender reads the clock
// through b.Now, so a test may swap it after New.
func (b *Base[T]) build(cfg schema.Config) (T, error) {
	t, tr, problems := b.spec.Parse(cfg)
	s, err := NewSender(b.spec.Info.Name, tr, problems, t.Secrets(), func() time.Time { return b.Now() })
	if err != nil {
		return t, err
	}
	t.Use(s)
	return t, nil
}

// Target returns the target of a send's instance, built from the
// request's configuration when the instance was never configured in this
// process, or the permanent failure to report when it cannot be built.
func (b *Base[T]) Target(req saplugin.SendRequest) (T, *saplugin.SendResult) {
	t, err := b.instances.Get(req.Instance, req.Config)
	if err != nil {
		return t, &saplugin.SendResult{Status: saplugin.Permanent, Message: err.Error()}
	}
	return t, nil
}

// LogSend logs the outcome of a send at debug level: the instance, the
// vendor's attrs, the status and the message.
func (b *Base[T]) LogSend(instance string, res saplugin.SendResult, attrs ...any) {
	args := append([]any{"instance", instance}, attrs...)
	b.Log.Debug("send", append(args, "status", res.Status.String(), "message", res.Message)...)
}
