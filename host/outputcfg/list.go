package outputcfg

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/streamalert-go/sa/host/secrets"
)

// Instance is one output instance as List sees it: where it is configured
// and whether it is ready to send. It holds no value.
type Instance struct {
	ID ID
	// InConfig: sa.yaml has it, so `sa serve` configures it. InOutputs:
	// outputs.json lists it. InSecrets: credentials are stored for it.
	InConfig, InOutputs, InSecrets bool
	// Installed: its output plugin is installed.
	Installed bool
	// Missing lists the required properties with neither a stored value
	// nor a default (only known when the plugin is installed).
	Missing []string
	// SecretErr says why the stored credentials could not be read.
	SecretErr error
}

// Ready reports whether the runtime can send through the instance.
func (in Instance) Ready() bool {
	return in.InConfig && in.Installed && len(in.Missing) == 0 && in.SecretErr == nil
}

// List returns every instance found in sa.yaml, outputs.json or the secret
// store, sorted by service and descriptor. It decrypts credentials to see
// which are set, never to show them.
func (m *Manager) List(ctx context.Context) ([]Instance, error) {
	cfg, err := readConfigFile(m.opts.ConfigFile)
	if err != nil {
		return nil, err
	}
	out, err := readOutputsFile(m.opts.OutputsFile)
	if err != nil {
		return nil, err
	}
	found := map[ID]*Instance{}
	get := func(id ID) *Instance {
		if found[id] == nil {
			found[id] = &Instance{ID: id}
		}
		return found[id]
	}
	for key := range cfg.outputs {
		if id, err := ParseID(key); err == nil {
			get(id).InConfig = true
		}
	}
	for _, s := range out.outputs {
		for _, t := range s.Targets {
			get(ID{Service: s.Service, Descriptor: t.Descriptor}).InOutputs = true
		}
	}
	names, err := m.opts.Secrets.List(ctx, "output/")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if parts := strings.Split(n, "/"); len(parts) == 3 {
			get(ID{Service: parts[1], Descriptor: parts[2]}).InSecrets = true
		}
	}
	list := make([]Instance, 0, len(found))
	for _, in := range found {
		if err := m.inspect(ctx, in, cfg); err != nil {
			return nil, err
		}
		list = append(list, *in)
	}
	slices.SortFunc(list, func(a, b Instance) int {
		return cmp.Or(strings.Compare(a.ID.Service, b.ID.Service), strings.Compare(a.ID.Descriptor, b.ID.Descriptor))
	})
	return list, nil
}

// inspect fills in whether the instance's plugin is installed and which
// required properties have no value.
func (m *Manager) inspect(ctx context.Context, in *Instance, cfg *configFile) error {
	sch, err := m.Schema(in.ID.Service)
	if errors.Is(err, ErrNoPlugin) {
		return nil
	}
	if err != nil {
		return err
	}
	in.Installed = true
	var creds secrets.Value
	if in.InSecrets {
		creds, err = m.opts.Secrets.Get(ctx, in.ID.SecretName())
		if err != nil && ctx.Err() != nil {
			return err
		}
		in.SecretErr = err
	}
	props := cfg.outputs[in.ID.String()]
	for _, p := range sch.Properties {
		if !p.Required || p.Default != "" || p.Descriptor || p.Name == DescriptorProperty {
			continue
		}
		_, inConfig := props[p.Name]
		_, inSecret := creds[p.Name]
		if !inConfig && !inSecret && (in.SecretErr == nil || !(p.Secret || p.Credential)) {
			in.Missing = append(in.Missing, p.Name)
		}
	}
	return nil
}

// Exists reports whether id is configured in sa.yaml or outputs.json.
func (m *Manager) Exists(id ID) (bool, error) {
	cfg, err := readConfigFile(m.opts.ConfigFile)
	if err != nil {
		return false, err
	}
	out, err := readOutputsFile(m.opts.OutputsFile)
	if err != nil {
		return false, err
	}
	st := &state{config: cfg, outputs: out}
	return st.inConfig(id) || st.inOutputs(id), nil
}

// Current is an instance's stored configuration as `sa output update`
// shows it. Values holds what may be shown: the sa.yaml properties, and
// the credentials the schema does not mark Secret (a Jira project key is
// kept in the secret store but is no secret). Secrets names the Secret
// properties that have a value, never the value.
type Current struct {
	Values  map[string]any
	Secrets map[string]bool
}

// Current returns what is stored for id.
func (m *Manager) Current(ctx context.Context, id ID) (*Current, error) {
	sch, err := m.Schema(id.Service)
	if err != nil {
		return nil, err
	}
	st, err := m.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if !st.inConfig(id) && !st.inOutputs(id) {
		return nil, fmt.Errorf("%s is %w; add it with `sa output new`", id, ErrNotFound)
	}
	if st.secretErr != nil {
		return nil, fmt.Errorf("%s: read the stored credentials: %w", id, st.secretErr)
	}
	cur := &Current{Values: map[string]any{}, Secrets: map[string]bool{}}
	for k, v := range st.config.outputs[id.String()] {
		if k != DescriptorProperty {
			cur.Values[k] = v
		}
	}
	for k, v := range st.secret {
		// A stored property the schema no longer declares counts as
		// secret: nothing says it may be shown.
		if p, ok := sch.Property(k); ok && !p.Secret {
			cur.Values[k] = v.Reveal()
		} else {
			cur.Secrets[k] = true
		}
	}
	return cur, nil
}

// Config returns the configuration the runtime hands the plugin for id,
// built as `sa serve` builds it: the descriptor, the properties in sa.yaml,
// and the credentials, decrypted for this call only. It is what `sa output
// test` configures the plugin with.
func (m *Manager) Config(ctx context.Context, id ID) (map[string]any, error) {
	cfg, err := readConfigFile(m.opts.ConfigFile)
	if err != nil {
		return nil, err
	}
	props, ok := cfg.outputs[id.String()]
	if !ok {
		return nil, fmt.Errorf("%s is %w in %s, so sa serve would not configure it", id, ErrNotFound, m.opts.ConfigFile)
	}
	out := map[string]any{DescriptorProperty: id.Descriptor}
	for k, v := range props {
		out[k] = v
	}
	creds, err := m.opts.Secrets.Get(ctx, id.SecretName())
	if err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return nil, err
	}
	for k, v := range creds {
		out[k] = v.Reveal()
	}
	return out, nil
}
