package dispatch

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/host/store"
)

// Configurer is what HostInstances needs of the plugin host.
type Configurer interface {
	Plugin(addr string) (*pluginhost.Installed, bool)
	Configure(addr, instance string, cfg pluginhost.ConfigFunc)
}

// SecretGetter reads credentials; secrets.Store is one.
type SecretGetter interface {
	Get(ctx context.Context, name string) (secrets.Value, error)
}

// InstancesOptions configure HostInstances.
type InstancesOptions struct {
	Host Configurer
	// Secrets holds credentials under SecretName; nil means none.
	Secrets SecretGetter
	// Settings returns an output's properties that are not credentials,
	// and false for an output that is not configured. It is called at
	// every (re)configuration, so it may reflect reloaded config.
	Settings func(output string) (map[string]any, bool)
}

// HostInstances is the Instances of a plugin host: an output's instance
// configuration is its settings plus its credentials, read from the secret
// store each time a plugin process needs the instance configured (first
// use, and after a restart) and kept nowhere else.
type HostInstances struct {
	opts InstancesOptions

	mu   sync.Mutex
	done map[string]bool
}

// NewInstances returns the Instances of opts.Host.
func NewInstances(opts InstancesOptions) *HostInstances {
	return &HostInstances{opts: opts, done: map[string]bool{}}
}

// SecretName is where an output's credentials are kept, StreamAlert's
// <service>/<descriptor> under "output/".
func SecretName(service, descriptor string) string {
	return "output/" + service + "/" + descriptor
}

// Ensure registers the instance with the host, once. It fails for an
// output not configured or whose plugin is not installed.
func (h *HostInstances) Ensure(service, descriptor string) error {
	output := service + ":" + descriptor
	if _, ok := h.opts.Settings(output); !ok {
		return fmt.Errorf("%w: %s is not configured", ErrUnknownOutput, output)
	}
	addr := "output." + service
	p, ok := h.opts.Host.Plugin(addr)
	if !ok {
		return fmt.Errorf("plugin %s: %w", addr, pluginhost.ErrNotInstalled)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.done[output] {
		h.opts.Host.Configure(addr, descriptor, h.configFunc(service, descriptor, descriptorProperty(p)))
		h.done[output] = true
	}
	return nil
}

// configFunc builds the instance configuration at call time.
func (h *HostInstances) configFunc(service, descriptor, descProp string) pluginhost.ConfigFunc {
	output := service + ":" + descriptor
	return func(ctx context.Context) (map[string]any, error) {
		settings, ok := h.opts.Settings(output)
		if !ok {
			return nil, fmt.Errorf("%w: %s is no longer configured", ErrUnknownOutput, output)
		}
		cfg := maps.Clone(settings)
		if cfg == nil {
			cfg = map[string]any{}
		}
		if _, set := cfg[descProp]; descProp != "" && !set {
			cfg[descProp] = descriptor
		}
		if h.opts.Secrets == nil {
			return cfg, nil
		}
		creds, err := h.opts.Secrets.Get(ctx, SecretName(service, descriptor))
		switch {
		case errors.Is(err, secrets.ErrNotFound):
			return cfg, nil // the plugin reports any credential it requires
		case err != nil:
			return nil, fmt.Errorf("credentials of %s: %w", output, err)
		}
		for k, v := range creds {
			cfg[k] = v.Reveal()
		}
		return cfg, nil
	}
}

// descriptorProperty is the property of the plugin's schema that names
// the instance, if any.
func descriptorProperty(p *pluginhost.Installed) string {
	for _, prop := range p.Manifest.Schema {
		if prop.Descriptor {
			return prop.Name
		}
	}
	return ""
}

var (
	_ Instances  = (*HostInstances)(nil)
	_ Configurer = (*pluginhost.Host)(nil)
	_ Sender     = (*pluginhost.Host)(nil)
	_ Queue      = store.Queue(nil)
)
