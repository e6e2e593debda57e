package awsout

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Service is what one AWS output adds to the shared machinery. T is an
// instance's ready-to-send target, typically a service client and the
// destination's name.
type Service[T any] struct {
	Info   saplugin.Info
	Schema schema.Schema
	// ResourceProp is the property naming the destination, for messages.
	ResourceProp string
	// Check checks the service's own properties and returns the region an
	// ARN among them names, or "".
	Check func(cfg schema.Config) (arnRegion string, problems []schema.Problem)
	// Build makes an instance's target from its checked configuration.
	Build func(aws.Config, schema.Config) (T, error)
	// Deliver sends one alert and returns a note for the log (a message
	// id), or an error for Classify.
	Deliver func(ctx context.Context, target T, in Input) (string, error)
}

// Output is an AWS output plugin: saplugin.Output, Validator and
// Configurer over a Service. One process serves every configured
// instance, each with its own AWS configuration and clients.
type Output[T any] struct {
	svc Service[T]
	// Log receives the plugin's structured logs (standard error).
	Log *slog.Logger
	// Now is the clock Retry-After dates are read against.
	Now func() time.Time
	// MaxBackoff bounds the SDK's wait between attempts.
	MaxBackoff time.Duration

	instances httpout.Instances[*instance[T]]
}

// instance is one configured instance.
type instance[T any] struct {
	target T
	region string
	client *http.Client
	// redact masks the instance's secret values in any text sent back.
	redact func(string) string
	// fingerprint identifies the configuration the instance was built from.
	fingerprint [sha256.Size]byte
}

// Close implements httpout.Closer.
func (i *instance[T]) Close() { i.client.CloseIdleConnections() }

// New returns the output of svc logging to the plugin's standard error.
func New[T any](svc Service[T]) *Output[T] {
	o := &Output[T]{svc: svc, Log: saplugin.Logger(), Now: time.Now, MaxBackoff: DefaultMaxBackoff}
	o.instances.Build = o.build
	return o
}

// Info implements saplugin.Plugin.
func (o *Output[T]) Info() saplugin.Info { return o.svc.Info }

// Schema implements saplugin.Plugin.
func (o *Output[T]) Schema() schema.Schema { return o.svc.Schema }

// ValidateConfig implements saplugin.Validator.
func (o *Output[T]) ValidateConfig(cfg schema.Config) []schema.Problem {
	_, problems := o.check(cfg)
	return problems
}

func (o *Output[T]) check(cfg schema.Config) (Settings, []schema.Problem) {
	region, problems := o.svc.Check(cfg)
	s, more := ParseSettings(cfg, region, o.svc.ResourceProp)
	badResource := slices.ContainsFunc(problems, func(p schema.Problem) bool { return p.Field == o.svc.ResourceProp })
	for _, p := range more {
		// A region may be missing only because the invalid resource was
		// meant as an ARN: the resource's problem says enough.
		if !(badResource && p.Field == PropRegion && cfg.String(PropRegion) == "") {
			problems = append(problems, p)
		}
	}
	return s, problems
}

// Configure implements saplugin.Configurer: it builds the instance's AWS
// configuration and clients and replaces any previous ones.
func (o *Output[T]) Configure(ctx context.Context, name string, cfg schema.Config) error {
	inst, err := o.instances.Configure(ctx, name, cfg)
	if err != nil {
		return err
	}
	o.Log.Info("instance configured", "instance", name, "region", inst.region,
		"endpoint_override", cfg.String(PropEndpointURL) != "", "assume_role", cfg.String(PropAssumeRoleARN) != "",
		"static_credentials", cfg.String(PropAccessKeyID) != "")
	return nil
}

func (o *Output[T]) build(cfg schema.Config) (*instance[T], error) {
	name := o.svc.Info.Name
	s, problems := o.check(cfg)
	if err := schema.ProblemsError(problems); err != nil {
		return nil, fmt.Errorf("%s: invalid configuration: %w", name, err)
	}
	awsCfg, client, err := LoadConfig(context.Background(), s, o.MaxBackoff)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	target, err := o.svc.Build(awsCfg, cfg)
	if err != nil {
		client.CloseIdleConnections()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &instance[T]{target: target, region: s.Region, client: client, redact: httpout.NewRedactor(secretValues(o.svc.Schema, cfg)...),
		fingerprint: Fingerprint(cfg)}, nil
}

// get returns the instance's target, rebuilding it when cfg is not the
// configuration it was built from.
func (o *Output[T]) get(name string, cfg schema.Config) (*instance[T], error) {
	inst, err := o.instances.Get(name, cfg)
	if err != nil || cfg == nil || inst.fingerprint == Fingerprint(cfg) {
		return inst, err
	}
	return o.instances.Configure(context.Background(), name, cfg)
}

// Send implements saplugin.Output.
func (o *Output[T]) Send(ctx context.Context, req saplugin.SendRequest) saplugin.SendResult {
	name := o.svc.Info.Name
	inst, err := o.get(req.Instance, req.Config)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: err.Error()}
	}
	in, err := Decode(req)
	if err != nil {
		return saplugin.SendResult{Status: saplugin.Permanent, Message: name + ": " + err.Error()}
	}
	note, err := o.svc.Deliver(ctx, inst.target, in)
	res := saplugin.SendResult{Status: saplugin.Delivered, Message: note}
	if err != nil {
		res = Classify(err, o.Now())
	}
	res.Message = clip(inst.redact(strings.TrimSuffix(name+": "+res.Message, ": ")))
	o.Log.Debug("send", "instance", req.Instance, "alert", in.Alert.ID, "status", res.Status.String(),
		"message", res.Message, "retry_after", res.RetryAfter.String())
	return res
}

// secretValues lists the values of the schema's secret properties in cfg.
func secretValues(sc schema.Schema, cfg schema.Config) []string {
	var out []string
	for _, p := range sc.Properties {
		if p.Secret {
			if v := cfg.String(p.Name); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// Fingerprint is a digest of a configuration, secrets included, to tell
// whether an instance must be rebuilt. Only the digest is kept.
func Fingerprint(cfg schema.Config) [sha256.Size]byte {
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		var v string
		switch x := cfg[k].(type) {
		case schema.Secret:
			v = x.Reveal()
		case []string:
			v = strings.Join(x, "\x1f")
		default:
			v = fmt.Sprint(x)
		}
		fmt.Fprintf(h, "%d:%s%d:%s", len(k), k, len(v), v)
	}
	var sum [sha256.Size]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

// Interface guards.
var (
	_ saplugin.Output     = (*Output[int])(nil)
	_ saplugin.Validator  = (*Output[int])(nil)
	_ saplugin.Configurer = (*Output[int])(nil)
)
