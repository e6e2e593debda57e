package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/streamalert-go/sa/host/outputcfg"
	"github.com/streamalert-go/sa/sdk/schema"
)

// outputSession is one `sa output new` or `update`: the instance, its
// plugin's schema, and the conversation with the person.
type outputSession struct {
	env    *outputEnv
	cmd    *cobra.Command
	sch    schema.Schema
	id     outputcfg.ID
	pr     *outputcfg.Prompter
	warned map[string]bool
}

// saveFromFile saves the values of a JSON file: all of a new instance's
// configuration, or a merge patch for an update.
func (o *outputSession) saveFromFile(path string, update bool) error {
	values, err := readValues(o.cmd.InOrStdin(), path)
	if err != nil {
		return err
	}
	if !update && o.id.Descriptor == "" {
		o.id.Descriptor, _ = values[outputcfg.DescriptorProperty].(string)
		if o.id.Descriptor == "" {
			return fmt.Errorf("--descriptor, or a %q property in %s, is required", outputcfg.DescriptorProperty, path)
		}
	}
	return o.save(outputcfg.Change{ID: o.id, Values: values, Update: update})
}

// interactiveNew asks for the descriptor, then every other property.
func (o *outputSession) interactiveNew() error {
	ctx := o.cmd.Context()
	o.pr = outputcfg.NewPrompter(o.cmd.InOrStdin(), o.cmd.ErrOrStderr())
	o.pr.Printf("Adding an output instance of %s.\n", o.pluginTitle())
	o.pr.Printf("Press Enter to take the [default] or to leave an optional value empty.\n")
	descQ := o.descriptorQuestion()
	if o.id.Descriptor != "" {
		if msg := o.checkDescriptor(descQ, o.id.Descriptor); msg != "" {
			return fmt.Errorf("--descriptor: %s", msg)
		}
	} else {
		a, err := o.pr.Ask(ctx, descQ)
		if err != nil {
			return err
		}
		o.id.Descriptor = a.Value
	}
	values := map[string]any{}
	questions := map[string]outputcfg.Question{}
	for _, p := range o.properties() {
		q := outputcfg.Question{Prop: p}
		a, err := o.pr.Ask(ctx, q)
		if err != nil {
			return err
		}
		questions[p.Name] = q
		answer(values, p.Name, a)
	}
	return o.checkAndSave(outputcfg.Change{ID: o.id, Values: values}, questions, &descQ)
}

// interactiveUpdate asks for every property again, with the current
// values as defaults.
func (o *outputSession) interactiveUpdate() error {
	ctx := o.cmd.Context()
	cur, err := o.env.mgr.Current(ctx, o.id)
	if err != nil {
		return err
	}
	o.pr = outputcfg.NewPrompter(o.cmd.InOrStdin(), o.cmd.ErrOrStderr())
	o.pr.Printf("Changing %s (%s).\n", o.id, o.pluginTitle())
	o.pr.Printf("Press Enter to keep a value; stored secrets are kept without being shown.\n")
	patch := map[string]any{}
	questions := map[string]outputcfg.Question{}
	for _, p := range o.properties() {
		q := outputcfg.Question{Prop: p}
		if p.Secret {
			q.Stored = cur.Secrets[p.Name] // whether one is stored, never what
		} else if v, ok := cur.Values[p.Name]; ok {
			q.Stored, q.Current = true, display(v)
		}
		a, err := o.pr.Ask(ctx, q)
		if err != nil {
			return err
		}
		questions[p.Name] = q
		answer(patch, p.Name, a)
	}
	return o.checkAndSave(outputcfg.Change{ID: o.id, Values: patch, Update: true}, questions, nil)
}

// checkAndSave checks the whole configuration, plugin included, asks
// again for each field with a problem, and saves once nothing is wrong.
func (o *outputSession) checkAndSave(c outputcfg.Change, questions map[string]outputcfg.Question, descQ *outputcfg.Question) error {
	ctx := o.cmd.Context()
	for {
		rep, err := o.env.mgr.Check(ctx, c)
		if err != nil {
			return err
		}
		o.warn(rep)
		if len(rep.Problems) == 0 {
			return o.save(c)
		}
		asked := map[string]bool{}
		for _, p := range rep.Problems {
			if asked[p.Field] {
				continue
			}
			asked[p.Field] = true
			if p.Field == outputcfg.DescriptorProperty && descQ != nil {
				a, err := o.pr.Reask(ctx, *descQ, p.Message)
				if err != nil {
					return err
				}
				c.ID.Descriptor, o.id.Descriptor = a.Value, a.Value
				continue
			}
			q, ok := questions[p.Field]
			if !ok {
				return problemsError(&outputcfg.InvalidError{ID: c.ID, Problems: rep.Problems})
			}
			a, err := o.pr.Reask(ctx, q, p.Message)
			if err != nil {
				return err
			}
			answer(c.Values, p.Field, a)
		}
	}
}

// save writes the change and tells where everything went.
func (o *outputSession) save(c outputcfg.Change) error {
	rep, err := o.env.mgr.Save(o.cmd.Context(), c)
	o.warn(rep)
	var inv *outputcfg.InvalidError
	if errors.As(err, &inv) {
		return problemsError(inv)
	}
	if err != nil {
		return err
	}
	out := o.cmd.OutOrStdout()
	verb := "Added"
	if c.Update {
		verb = "Updated"
	}
	fmt.Fprintf(out, "\n%s %s.\n", verb, c.ID)
	if len(rep.Credentials) > 0 {
		fmt.Fprintf(out, "  credentials (%s): encrypted in %s\n", strings.Join(rep.Credentials, ", "), o.env.secrets)
	}
	if len(rep.Settings) > 0 {
		fmt.Fprintf(out, "  settings (%s): %s\n", strings.Join(rep.Settings, ", "), o.env.config)
	} else {
		fmt.Fprintf(out, "  entry: %s\n", o.env.config)
	}
	fmt.Fprintf(out, "  descriptor: %s\n", o.env.outputs)
	fmt.Fprintf(out, "Rules send to it as %s. Try it now: sa output test %s\n", c.ID, c.ID)
	fmt.Fprintln(out, "A running sa serve uses the change once restarted.")
	return nil
}

func (o *outputSession) warn(rep *outputcfg.Report) {
	if rep == nil {
		return
	}
	if o.warned == nil {
		o.warned = map[string]bool{}
	}
	for _, w := range rep.Warnings {
		if !o.warned[w] {
			o.warned[w] = true
			fmt.Fprintln(o.cmd.ErrOrStderr(), "warning:", w)
		}
	}
}

// properties are the schema's properties other than the descriptor.
func (o *outputSession) properties() []schema.Property {
	var out []schema.Property
	for _, p := range o.sch.Properties {
		if !isDescriptor(p) {
			out = append(out, p)
		}
	}
	return out
}

func isDescriptor(p schema.Property) bool {
	return p.Descriptor || p.Name == outputcfg.DescriptorProperty
}

// descriptorQuestion asks for the instance's name, with the plugin's own
// description of it where the schema has one.
func (o *outputSession) descriptorQuestion() outputcfg.Question {
	svc := o.id.Service
	prop := schema.Property{
		Name: outputcfg.DescriptorProperty, Required: true,
		Description: fmt.Sprintf("A short, unique name for this %s destination (a channel, a team); rules send to it as %s:<descriptor>.", svc, svc),
	}
	for _, p := range o.sch.Properties {
		if isDescriptor(p) {
			prop = p
			prop.Name, prop.Required, prop.Default = outputcfg.DescriptorProperty, true, ""
		}
	}
	q := outputcfg.Question{Prop: prop}
	q.Check = func(v string) string { return o.nameProblem(v) }
	return q
}

// checkDescriptor checks a descriptor given on the command line.
func (o *outputSession) checkDescriptor(q outputcfg.Question, v string) string {
	if msg := outputcfg.CheckValue(q.Prop, v); msg != "" {
		return msg
	}
	return q.Check(v)
}

// nameProblem applies the naming rules and refuses a name that is taken.
func (o *outputSession) nameProblem(descriptor string) string {
	id := outputcfg.ID{Service: o.id.Service, Descriptor: descriptor}
	if err := id.Check(); err != nil {
		return err.Error()
	}
	exists, err := o.env.mgr.Exists(id)
	switch {
	case err != nil:
		return err.Error()
	case exists:
		return fmt.Sprintf("%s exists; change it with sa output update %s, or choose another name", id, id)
	}
	return ""
}

func (o *outputSession) pluginTitle() string {
	p, ok := o.env.plugins.Plugin(o.id.Plugin())
	if !ok {
		return o.id.Plugin()
	}
	title := p.Address() + " " + p.Manifest.Version
	if p.Manifest.Description != "" {
		title += ": " + p.Manifest.Description
	}
	return title
}

// answer records an answer in values: a typed value is set, a cleared one
// is null (removed, in a merge patch), and no answer leaves the property
// out (unset for a new instance, kept for an update).
func answer(values map[string]any, name string, a outputcfg.Answer) {
	switch {
	case a.Cleared:
		values[name] = nil
	case a.Set:
		values[name] = a.Value
	default:
		delete(values, name)
	}
}

// display renders a stored value as it would be typed at the prompt.
func display(v any) string {
	if l, ok := v.([]any); ok {
		parts := make([]string, len(l))
		for i, e := range l {
			parts[i] = fmt.Sprint(e)
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

// problemsError lists a configuration's problems, one per line.
func problemsError(inv *outputcfg.InvalidError) error {
	lines := make([]string, len(inv.Problems))
	for i, p := range inv.Problems {
		lines[i] = "  " + p.String()
	}
	return fmt.Errorf("%s is not valid, so nothing was written:\n%s", inv.ID, strings.Join(lines, "\n"))
}
