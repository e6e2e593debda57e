package outputcfg

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/sdk/schema"
)

// DescriptorProperty is the property the runtime sets to an instance's
// descriptor when it configures the plugin.
const DescriptorProperty = "descriptor"

// Change is a new configuration of one instance, or a change to one.
type Change struct {
	ID ID
	// Values are the properties to set, as typed at a prompt (strings) or
	// decoded from JSON. The descriptor comes from ID; a "descriptor" value
	// is accepted only when it agrees.
	Values map[string]any
	// Update changes an existing instance, as a JSON merge patch does: a
	// property absent from Values keeps its stored value, and one set to
	// nil or "" is removed (back to its default). Without Update the
	// instance must be new and Values is all of its configuration.
	Update bool
}

// Report is the outcome of checking a change.
type Report struct {
	// Problems are field-precise reasons the change cannot be saved.
	Problems []schema.Problem
	// Warnings did not stop the change: chiefly that the plugin could not
	// be started, so only its schema checked the configuration.
	Warnings []string
	// Credentials and Settings name the properties that go to the secret
	// store and to sa.yaml, for telling the person where things went.
	Credentials, Settings []string
}

// plan is a checked change: what goes where.
type plan struct {
	id ID
	// props go to sa.yaml, in schema order.
	props []prop
	// creds go to the secret store; empty means no secret.
	creds secrets.Value
	// resource is the outputs.json resource name of the AWS outputs.
	resource string
}

// Check reports what is wrong with c without saving anything. It asks the
// plugin too when it can be started. An error means the check itself could
// not be made (an unreadable file, a plugin not installed, a name already
// taken); a configuration that fails is a Report with Problems.
func (m *Manager) Check(ctx context.Context, c Change) (*Report, error) {
	st, err := m.load(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	rep, _, err := m.prepare(ctx, c, st)
	return rep, err
}

// prepare checks c against what is stored and turns it into a plan.
func (m *Manager) prepare(ctx context.Context, c Change, st *state) (*Report, *plan, error) {
	rep := &Report{}
	id := c.ID
	sch, err := m.Schema(id.Service)
	if err != nil {
		return nil, nil, err
	}
	if _, ok := sch.Property(DescriptorProperty); !ok {
		// The runtime configures every instance with its descriptor, and
		// a schema refuses properties it does not declare.
		return nil, nil, fmt.Errorf("%s declares no %q property, which sa gives every output instance; the plugin cannot be configured (tell its author)", id.Plugin(), DescriptorProperty)
	}
	if err := id.Check(); err != nil {
		rep.Problems = append(rep.Problems, schema.Problem{Field: DescriptorProperty, Message: err.Error()})
		return rep, nil, nil
	}
	exists := st.inConfig(id) || st.inOutputs(id)
	switch {
	case !c.Update && exists:
		return nil, nil, fmt.Errorf("%s is %w; change it with `sa output update %s`", id, ErrExists, id)
	case c.Update && !exists:
		return nil, nil, fmt.Errorf("%s is %w in %s or %s; add it with `sa output new`", id, ErrNotFound, m.opts.ConfigFile, m.opts.OutputsFile)
	}
	raw, problems, err := merge(c, st)
	if err != nil || len(problems) > 0 {
		rep.Problems = problems
		return rep, nil, err
	}
	raw[DescriptorProperty] = id.Descriptor
	cfg, problems := sch.Apply(raw)
	if len(problems) > 0 {
		rep.Problems = problems
		return rep, nil, nil
	}
	p := newPlan(id, sch, raw, cfg)
	problems, warn := m.validate(ctx, id, p)
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if warn != "" {
		rep.Warnings = append(rep.Warnings, warn)
	} else if len(problems) > 0 {
		rep.Problems = problems
		return rep, nil, nil
	}
	for _, pr := range p.props {
		rep.Settings = append(rep.Settings, pr.Name)
	}
	for _, pr := range sch.Properties {
		if _, ok := p.creds[pr.Name]; ok {
			rep.Credentials = append(rep.Credentials, pr.Name)
		}
	}
	return rep, p, nil
}

// merge builds the raw configuration: Values alone for a new instance;
// for an update, what is stored with Values patched over it. Empty values
// are dropped: the schema treats them as absent, and an empty string kept
// in sa.yaml would only hide the default.
func merge(c Change, st *state) (map[string]any, []schema.Problem, error) {
	patch := maps.Clone(c.Values)
	if d, ok := patch[DescriptorProperty]; ok {
		if s, _ := d.(string); s != "" && s != c.ID.Descriptor {
			return nil, []schema.Problem{{Field: DescriptorProperty, Message: fmt.Sprintf("disagrees with %s; a descriptor cannot change, add a new instance instead", c.ID)}}, nil
		}
		delete(patch, DescriptorProperty)
	}
	raw := map[string]any{}
	if c.Update {
		if st.secretErr != nil {
			return nil, nil, fmt.Errorf("%s: read the stored credentials: %w; `sa output delete %s` and add it again if they are lost", c.ID, st.secretErr, c.ID)
		}
		for k, v := range st.config.outputs[c.ID.String()] {
			raw[k] = v
		}
		delete(raw, DescriptorProperty)
		for k, v := range st.secret {
			raw[k] = v.Reveal()
		}
	}
	for k, v := range patch {
		raw[k] = v
	}
	for k, v := range raw {
		if v == nil || v == "" {
			delete(raw, k)
		}
	}
	return raw, nil, nil
}

// newPlan sorts a checked configuration into its places. Only properties
// that were given are stored, not the defaults Apply filled in, so an
// instance follows a default the plugin changes later unless someone chose
// a value.
func newPlan(id ID, sch schema.Schema, raw map[string]any, cfg schema.Config) *plan {
	p := &plan{id: id, creds: secrets.Value{}}
	for _, prop := range sch.Properties {
		v, given := cfg[prop.Name]
		if _, ok := raw[prop.Name]; !ok || !given || prop.Name == DescriptorProperty || prop.Descriptor {
			continue
		}
		if prop.Secret || prop.Credential {
			p.creds[prop.Name] = schema.Secret(credentialString(v))
			continue
		}
		p.props = append(p.props, storedProp(prop.Name, v))
	}
	p.resource = resourceOf(sch, cfg)
	return p
}

// credentialString is how a credential is stored: the secret store holds
// strings, as StreamAlert's SSM parameters do, and the schema converts
// them back when the runtime configures the plugin.
func credentialString(v any) string {
	switch v := v.(type) {
	case schema.Secret:
		return v.Reveal()
	case string:
		return v
	case []string:
		return strings.Join(v, ",")
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

func storedProp(name string, v any) prop {
	if s, ok := v.(schema.Secret); ok {
		v = s.Reveal()
	}
	return prop{Name: name, Value: v}
}

// resourceOf is the resource name outputs.json records for the AWS
// outputs: the aws_value property where the plugin keeps StreamAlert's
// name, else its first required plain string property.
func resourceOf(sch schema.Schema, cfg schema.Config) string {
	if v, ok := cfg[ResourceProperty].(string); ok {
		return v
	}
	for _, p := range sch.Properties {
		if p.Required && p.Type == schema.String && !p.Secret && !p.Credential && !p.Descriptor && p.Name != DescriptorProperty {
			return cfg.String(p.Name)
		}
	}
	return ""
}

// runtimeConfig is what the runtime will hand the plugin for the plan:
// the descriptor, the sa.yaml properties and the credentials, in the
// types the protocol carries.
func (p *plan) runtimeConfig() map[string]any {
	cfg := map[string]any{DescriptorProperty: p.id.Descriptor}
	for _, pr := range p.props {
		cfg[pr.Name] = protoValue(pr.Value)
	}
	for k, v := range p.creds {
		cfg[k] = v.Reveal()
	}
	return cfg
}

// protoValue converts a schema value to one structpb accepts.
func protoValue(v any) any {
	if l, ok := v.([]string); ok {
		out := make([]any, len(l))
		for i, s := range l {
			out[i] = s
		}
		return out
	}
	return v
}

// validate asks the plugin to check the configuration it would be given.
// A plugin that cannot be started is not a reason to refuse: the schema
// has checked the configuration, and the warning says what was skipped.
func (m *Manager) validate(ctx context.Context, id ID, p *plan) ([]schema.Problem, string) {
	problems, err := m.opts.Plugins.Validate(ctx, id.Plugin(), p.runtimeConfig())
	if err != nil {
		return nil, fmt.Sprintf("%s could not be started to check the configuration, so only its schema did: %v", id.Plugin(), err)
	}
	return problems, ""
}
