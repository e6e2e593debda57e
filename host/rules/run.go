package rules

import (
	"fmt"
	"slices"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
)

// run evaluates one compiled rule on a record, StreamAlert's order:
// datatypes, req_subkeys, matchers, condition.
func (e *Engine) run(c *compiled, rec *Record, data map[string]any) (Match, bool) {
	r := c.spec
	if len(r.Datatypes) > 0 && !carriesAny(data, r.Datatypes) {
		return Match{}, false
	}
	if !hasSubkeys(data, r.ReqSubkeys) {
		return Match{}, false
	}
	c.entry.evaluated.Add(1)
	act := activations.Get().(*activation)
	defer func() { *act = activation{}; activations.Put(act) }()
	act.record = data
	for _, m := range c.matchers {
		if ok, err := evalBool(m.prg, act); err != nil || !ok {
			if err != nil {
				e.fail(c, rec, "matcher "+m.name, err)
			}
			return Match{}, false
		}
	}
	act.context = r.context
	if ok, err := evalBool(c.cond, act); err != nil || !ok {
		if err != nil {
			e.fail(c, rec, "condition", err)
		}
		return Match{}, false
	}
	c.entry.matched.Add(1)
	m := Match{
		Rule: &r.Rule, LogType: rec.LogType, Parser: rec.Parser, Service: rec.Service, Source: rec.Source,
		Cluster: rec.Cluster, Context: r.Context, MergeByKeys: r.MergeByKeys, MergeWindow: r.MergeWindow,
		Staged: r.Staged || e.staging != nil && e.staging.Staged(r.Name),
	}
	if !m.Staged {
		m.Outputs = e.outputs(c, rec, act)
		m.Publishers = publishersFor(r.Publishers, m.Outputs)
	}
	return m, true
}

// hasSubkeys is StreamAlert's req_subkeys check: each key holds an object
// with every subkey present, whatever its value.
func hasSubkeys(data map[string]any, req []Subkeys) bool {
	for _, sk := range req {
		m, ok := data[sk.Key].(map[string]any)
		if !ok {
			return false
		}
		for _, k := range sk.Subkeys {
			if _, ok := m[k]; !ok {
				return false
			}
		}
	}
	return true
}

// evalBool evaluates a condition. Cancellation is checked between rules,
// not inside one: an expression's running time is bounded by its cost
// budget, and watching a context inside every evaluation costs more than
// most evaluations.
func evalBool(p cel.Program, act *activation) (bool, error) {
	out, _, err := p.Eval(act)
	if err != nil {
		return false, err
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("%w: got %s", errNotBool, out.Type().TypeName())
	}
	return bool(b), nil
}

// outputs returns the rule's static outputs and those its dynamic
// outputs give, each once. A dynamic output that fails or gives a value
// that is not a string or list adds none (StreamAlert's behaviour); one
// that fails is reported. Names without ':' are dropped, as StreamAlert
// drops them.
func (e *Engine) outputs(c *compiled, rec *Record, act *activation) []string {
	out := slices.Clone(c.spec.Outputs)
	for i, p := range c.dynamic {
		v, _, err := p.Eval(act)
		if err != nil {
			e.fail(c, rec, fmt.Sprintf("dynamic_outputs[%d]", i), err)
			continue
		}
		for _, o := range outputNames(v) {
			if validOutput(o) && !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	return out
}

func outputNames(v ref.Val) []string {
	switch x := v.(type) {
	case types.String:
		return []string{string(x)}
	case traits.Lister:
		var out []string
		for it := x.Iterator(); it.HasNext() == types.True; {
			if s, ok := it.Next().(types.String); ok {
				out = append(out, string(s))
			}
		}
		return out
	}
	return nil
}
