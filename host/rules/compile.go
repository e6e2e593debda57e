package rules

import (
	"fmt"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/ext"
)

// dynamicLog keys the environment whose record is an untyped map: for
// rules on every log type, and for every rule when no schemas are known.
const dynamicLog = ""

// compiler turns parsed rules and matchers into programs, one per log
// type a rule runs on, reporting every problem.
type compiler struct {
	base     *cel.Env
	types    *schemaTypes
	schemas  Schemas
	probs    *problems
	envs     map[envKey]*cel.Env
	matchers map[string]*matcherSpec
	// matcherProgs caches a matcher's program per log type; nil marks one
	// that failed, already reported.
	matcherProgs map[matcherKey]namedProgram
	progOpts     []cel.ProgramOption
	// costLimit is the budget of one evaluation; expressions whose worst
	// case may exceed it are built to track their cost (cost.go).
	costLimit uint64
}

type envKey struct {
	logType string
	context bool
}

type matcherKey struct{ name, logType string }

func newCompiler(schemas Schemas, d *deps, costLimit uint64, probs *problems) (*compiler, error) {
	st, err := newSchemaTypes()
	if err != nil {
		return nil, err
	}
	if schemas != nil {
		for _, lt := range schemas.LogTypes() {
			if s, ok := schemas.Schema(lt); ok {
				st.addLog(lt, s)
			}
		}
	}
	opts := []cel.EnvOption{
		cel.CustomTypeProvider(st),
		cel.OptionalTypes(),
		cel.EnableIdentifierEscapeSyntax(),
		cel.CrossTypeNumericComparisons(true),
		cel.DefaultUTCTimeZone(true),
		cel.ExtendedValidations(),
		ext.Strings(), ext.Lists(), ext.Sets(), ext.Bindings(), ext.Encoders(), ext.Math(),
	}
	base, err := cel.NewEnv(append(opts, helpers(d)...)...)
	if err != nil {
		return nil, fmt.Errorf("rules: cel environment: %w", err)
	}
	return &compiler{
		base: base, types: st, schemas: schemas, probs: probs,
		envs: map[envKey]*cel.Env{}, matchers: map[string]*matcherSpec{}, matcherProgs: map[matcherKey]namedProgram{},
		costLimit: costLimit,
		progOpts:  []cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)},
	}, nil
}

// env returns the environment for expressions on records of logType:
// `record` typed by the log's schema (an untyped map for dynamicLog) and,
// when the rule has a context, `context`.
func (c *compiler) env(logType string, context bool) (*cel.Env, error) {
	key := envKey{logType, context}
	if e, ok := c.envs[key]; ok {
		return e, nil
	}
	var opts []cel.EnvOption
	if lt, ok := c.types.byLog[logType]; ok {
		opts = append(opts, cel.Variable("record", lt.record))
		// Keys no field name can spell ("@timestamp", "streamalert:ioc")
		// stay reachable as record["key"] and "key" in record: the index
		// and in operators are declared on every struct type, and the
		// interpreter evaluates them on the map underneath.
		for _, t := range lt.all {
			id := identPart(t.TypeName())
			opts = append(opts,
				cel.Function(operators.Index, cel.Overload("index_"+id, []*cel.Type{t, cel.StringType}, cel.DynType)),
				cel.Function(operators.OptIndex, cel.Overload("optindex_"+id, []*cel.Type{t, cel.StringType},
					cel.OptionalType(cel.DynType))),
				cel.Function(operators.In, cel.Overload("in_"+id, []*cel.Type{cel.StringType, t}, cel.BoolType)))
		}
	} else {
		opts = append(opts, cel.Variable("record", cel.MapType(cel.StringType, cel.DynType)))
	}
	if context {
		opts = append(opts, cel.Variable("context", cel.MapType(cel.StringType, cel.DynType)))
	}
	e, err := c.base.Extend(opts...)
	if err != nil {
		return nil, fmt.Errorf("rules: cel environment for %s: %w", logType, err)
	}
	c.envs[key] = e
	return e, nil
}

// compile compiles one expression, reporting problems at their place in
// the file; ok says whether a program came out.
func (c *compiler) compile(env *cel.Env, src exprSrc, owner, what, suffix string, want func(*types.Type) bool) (cel.Program, *discriminator, bool) {
	if strings.TrimSpace(src.text) == "" {
		c.probs.errorf(src.at, owner, "%s is empty", what)
		return nil, nil, false
	}
	ast, iss := env.Compile(src.text)
	if iss.Err() != nil {
		for _, e := range iss.Errors() {
			c.probs.errorf(src.place(e.Location.Line(), e.Location.Column()), owner, "%s: %s%s", what, e.Message, suffix)
		}
		return nil, nil, false
	}
	if !c.checkIndexes(ast, src, owner, what, suffix) {
		return nil, nil, false
	}
	if t := ast.OutputType(); !want(t) {
		c.probs.errorf(src.at, owner, "%s: has type %s, want %s%s", what, t, wantName(what), suffix)
		return nil, nil, false
	}
	opts := c.progOpts
	if est, err := env.EstimateCost(ast, staticCost{}); err != nil || est.Max > c.costLimit {
		opts = append(opts[:len(opts):len(opts)], cel.CostLimit(c.costLimit), cel.CostTracking(runtimeCost{}))
	}
	prg, err := env.Program(ast, opts...)
	if err != nil {
		c.probs.errorf(src.at, owner, "%s: %s%s", what, err, suffix)
		return nil, nil, false
	}
	var disc *discriminator
	if d, ok := findDiscriminator(ast.NativeRep().Expr()); ok {
		disc = &d
	}
	return prg, disc, true
}

func wantName(what string) string {
	if strings.HasPrefix(what, "dynamic_outputs") {
		return "a string or a list of strings"
	}
	return "bool"
}

func isBool(t *types.Type) bool { return t.IsExactType(types.BoolType) || t.IsExactType(types.DynType) }

func isOutputs(t *types.Type) bool {
	switch {
	case t.IsExactType(types.DynType), t.IsExactType(types.StringType):
		return true
	case t.Kind() == types.ListKind:
		e := t.Parameters()[0]
		return e.IsExactType(types.StringType) || e.IsExactType(types.DynType)
	}
	return false
}

// matcher returns the program of matcher name on logType, compiling it
// the first time; its prg is nil when it does not compile there.
func (c *compiler) matcher(name, logType, usedBy string) namedProgram {
	key := matcherKey{name, logType}
	if p, ok := c.matcherProgs[key]; ok {
		return p
	}
	m := c.matchers[name]
	np := namedProgram{name: name}
	if env, err := c.env(logType, false); err != nil {
		c.probs.errorf(m.at, name, "%s", err)
	} else {
		suffix := ""
		if logType != dynamicLog {
			suffix = fmt.Sprintf(" (on log type %s, for rule %s)", logType, usedBy)
		}
		np.prg, np.disc, _ = c.compile(env, m.cond, name, "condition", suffix, isBool)
	}
	c.matcherProgs[key] = np
	return np
}

// rule compiles r for logType.
func (c *compiler) rule(r *ruleSpec, logType string) (*compiled, bool) {
	env, err := c.env(logType, r.context != nil)
	if err != nil {
		c.probs.errorf(r.at, r.Name, "%s", err)
		return nil, false
	}
	suffix := ""
	if len(r.Logs) > 1 && logType != dynamicLog {
		suffix = " (on log type " + logType + ")"
	}
	out := &compiled{spec: r}
	ok := true
	for _, name := range r.Matchers {
		if _, known := c.matchers[name]; !known {
			continue // reported once when references are checked
		}
		p := c.matcher(name, logType, r.Name)
		ok = ok && p.prg != nil
		out.matchers = append(out.matchers, p)
		if out.disc == nil {
			out.disc = p.disc
		}
	}
	if r.cond.at.file == "" {
		return nil, false // no condition at all, already reported
	}
	cond, disc, cok := c.compile(env, r.cond, r.Name, "condition", suffix, isBool)
	out.cond, ok = cond, ok && cok
	if out.disc == nil {
		out.disc = disc
	}
	for i, d := range r.dynamic {
		p, _, dok := c.compile(env, d, r.Name, fmt.Sprintf("dynamic_outputs[%d]", i), suffix, isOutputs)
		ok = ok && dok
		out.dynamic = append(out.dynamic, p)
	}
	return out, ok
}
