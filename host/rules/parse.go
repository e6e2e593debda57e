package rules

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// File is one rule or matcher file: its name, used in problems, and its
// contents.
type File struct {
	Name string
	Data []byte
}

var (
	ruleNameRE    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	matcherNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)
	severities    = map[string]bool{"info": true, "low": true, "medium": true, "high": true, "critical": true}
)

// maxMergeWindowMins bounds merge windows at a week: a longer window
// holds alerts back from every output for longer than anyone would want.
const maxMergeWindowMins = 7 * 24 * 60

// exprSrc is an expression with where it sits in its file, so compile
// errors point into the file.
type exprSrc struct {
	text string
	at   pos
	// block is set for literal block scalars (|): expression line i is
	// file line at.line+i, indented by indent columns. Other styles map
	// to the scalar's first position.
	block  bool
	indent int
	// quoted is 1 for a quoted scalar, whose text starts a column later.
	quoted int
}

// place maps a 1-based line and 0-based column of the expression to the
// file.
func (e exprSrc) place(line, col int) pos {
	p := e.at
	switch {
	case e.block:
		p.line, p.col = e.at.line+line, e.indent+col+1
	case line == 1 && !strings.Contains(e.text, "\n"):
		p.col = e.at.col + e.quoted + col
	}
	return p
}

// ruleSpec is a rule as parsed, before compilation.
type ruleSpec struct {
	Rule
	at        pos
	cond      exprSrc
	dynamic   []exprSrc
	matcherAt []pos
	outputsAt []pos
	logsAt    []pos
	dtAt      []pos
	context   map[string]any // nil when the rule has no context
}

type matcherSpec struct {
	Matcher
	at   pos
	cond exprSrc
}

// parseRules decodes a rule file: a mapping with the key "rules", a list
// of rules.
func parseRules(file File, probs *problems) []*ruleSpec {
	f := &yfile{name: file.Name, data: file.Data, probs: probs}
	root := f.parse()
	if root == nil {
		return nil
	}
	var out []*ruleSpec
	f.mapping(root, "", "a rule file", fields{
		"rules": func(_, v *yaml.Node) {
			if v.Kind != yaml.SequenceNode {
				f.errorf(v, "", "rules must be a list of rules, got %s", kindName(v))
				return
			}
			for _, n := range v.Content {
				if r := f.rule(f.resolve(n)); r != nil {
					out = append(out, r)
				}
			}
		},
	})
	return out
}

// parseMatchers decodes a matcher file: a mapping with the key
// "matchers", a list of matchers.
func parseMatchers(file File, probs *problems) []*matcherSpec {
	f := &yfile{name: file.Name, data: file.Data, probs: probs}
	root := f.parse()
	if root == nil {
		return nil
	}
	var out []*matcherSpec
	f.mapping(root, "", "a matcher file", fields{
		"matchers": func(_, v *yaml.Node) {
			if v.Kind != yaml.SequenceNode {
				f.errorf(v, "", "matchers must be a list of matchers, got %s", kindName(v))
				return
			}
			for _, n := range v.Content {
				if m := f.matcher(f.resolve(n)); m != nil {
					out = append(out, m)
				}
			}
		},
	})
	return out
}

func (f *yfile) matcher(n *yaml.Node) *matcherSpec {
	m := &matcherSpec{at: f.at(n)}
	m.File, m.Line = f.name, n.Line
	name := f.nameOf(n)
	hasCond := false
	ok := f.mapping(n, name, "a matcher", fields{
		"name": func(_, v *yaml.Node) {
			if s, ok := f.str(v, name, "name"); ok {
				m.Name, m.Line = s, v.Line
				if !matcherNameRE.MatchString(s) {
					f.errorf(v, name, "matcher names are identifiers, optionally dotted (aws.guard_duty), got %q", s)
				}
			}
		},
		"description": f.setStr(&m.Description, name, "description"),
		"condition": func(_, v *yaml.Node) {
			hasCond = true
			m.cond = f.expr(v, name, "condition")
			m.Condition = m.cond.text
		},
	})
	if !ok {
		return nil
	}
	if m.Name == "" {
		f.errorf(n, "", "a matcher needs a name")
		return nil
	}
	if !hasCond {
		f.errorf(n, name, "a matcher needs a condition")
	}
	return m
}

// nameOf finds the name of the rule or matcher n before the rest is
// decoded, so every problem with it can say which one it is about.
func (f *yfile) nameOf(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, v := n.Content[i], f.resolve(n.Content[i+1]); k.Value == "name" && v.Kind == yaml.ScalarNode {
			return v.Value
		}
	}
	return ""
}

func (f *yfile) setStr(dst *string, rule, what string) func(_, v *yaml.Node) {
	return func(_, v *yaml.Node) {
		if s, ok := f.str(v, rule, what); ok {
			*dst = s
		}
	}
}

func (f *yfile) setStrs(dst *[]string, rule, what string) func(_, v *yaml.Node) {
	return func(_, v *yaml.Node) { *dst = f.strs(v, rule, what) }
}

func (f *yfile) setBool(dst *bool, rule, what string) func(_, v *yaml.Node) {
	return func(_, v *yaml.Node) {
		if b, ok := f.boolean(v, rule, what); ok {
			*dst = b
		}
	}
}

// expr reads an expression and where it is.
func (f *yfile) expr(n *yaml.Node, rule, what string) exprSrc {
	s, _ := f.str(n, rule, what)
	e := exprSrc{text: s, at: f.at(n)}
	switch n.Style {
	case yaml.LiteralStyle:
		e.block = true
		e.indent = f.blockIndent(n.Line + 1)
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		e.quoted = 1
	}
	return e
}

// blockIndent returns the indentation of the first non-blank line from
// line on, the indentation of a block scalar's content.
func (f *yfile) blockIndent(line int) int {
	lines := strings.Split(string(f.data), "\n")
	for i := line - 1; i >= 0 && i < len(lines); i++ {
		if t := strings.TrimLeft(lines[i], " "); t != "" {
			return len(lines[i]) - len(t)
		}
	}
	return 0
}

func (f *yfile) rule(n *yaml.Node) *ruleSpec {
	r := &ruleSpec{at: f.at(n)}
	r.File, r.Line = f.name, n.Line
	name := f.nameOf(n)
	var hasCond bool
	var windowNode *yaml.Node
	ok := f.mapping(n, name, "a rule", fields{
		"name": func(_, v *yaml.Node) {
			if s, ok := f.str(v, name, "name"); ok {
				r.Name, r.Line, r.at = s, v.Line, f.at(v)
				if !ruleNameRE.MatchString(s) {
					f.errorf(v, name, "rule names are identifiers (letters, digits, '_'), got %q", s)
				}
			}
		},
		"description": f.setStr(&r.Description, name, "description"),
		"author":      f.setStr(&r.Author, name, "author"),
		"reference":   f.setStr(&r.Reference, name, "reference"),
		"playbook":    f.setStr(&r.Playbook, name, "playbook"),
		"severity": func(_, v *yaml.Node) {
			if s, ok := f.str(v, name, "severity"); ok {
				r.Severity = s
				if !severities[s] {
					f.errorf(v, name, "severity must be info, low, medium, high or critical, got %q", s)
				}
			}
		},
		"tags":      f.setStrs(&r.Tags, name, "tags"),
		"logs":      func(_, v *yaml.Node) { r.Logs, r.logsAt = f.strsAt(v, name, "logs") },
		"datatypes": func(_, v *yaml.Node) { r.Datatypes, r.dtAt = f.strsAt(v, name, "datatypes") },
		"matchers":  func(_, v *yaml.Node) { r.Matchers, r.matcherAt = f.strsAt(v, name, "matchers") },
		"req_subkeys": func(_, v *yaml.Node) {
			r.ReqSubkeys = f.reqSubkeys(v, name)
		},
		"condition": func(_, v *yaml.Node) {
			hasCond = true
			r.cond = f.expr(v, name, "condition")
			r.Condition = r.cond.text
		},
		"outputs": func(_, v *yaml.Node) { r.Outputs, r.outputsAt = f.outputs(v, name) },
		"dynamic_outputs": func(_, v *yaml.Node) {
			if v.Kind != yaml.SequenceNode {
				f.errorf(v, name, "dynamic_outputs must be a list of expressions, got %s", kindName(v))
				return
			}
			for i, e := range v.Content {
				x := f.expr(f.resolve(e), name, fmt.Sprintf("dynamic_outputs[%d]", i))
				r.dynamic = append(r.dynamic, x)
				r.DynamicOutputs = append(r.DynamicOutputs, x.text)
			}
		},
		"context":       func(_, v *yaml.Node) { f.context(v, r) },
		"publishers":    func(_, v *yaml.Node) { r.Publishers = f.publishers(v, name) },
		"merge_by_keys": f.setStrs(&r.MergeByKeys, name, "merge_by_keys"),
		"merge_window_mins": func(_, v *yaml.Node) {
			windowNode = v
			if m, ok := f.natural(v, name, "merge_window_mins"); ok {
				if m > maxMergeWindowMins {
					f.errorf(v, name, "merge_window_mins %d is more than a week (%d)", m, maxMergeWindowMins)
				}
				r.MergeWindow = time.Duration(m) * time.Minute
			}
		},
		"disabled": f.setBool(&r.Disabled, name, "disabled"),
		"staged":   f.setBool(&r.Staged, name, "staged"),
	})
	if !ok {
		return nil
	}
	if r.Name == "" {
		f.errorf(n, "", "a rule needs a name")
		return nil
	}
	if !hasCond {
		f.errorf(n, name, "a rule needs a condition (write `condition: \"true\"` when its matchers decide)")
	}
	f.checkMerge(n, windowNode, r)
	return r
}

// checkMerge refuses half a merge configuration: StreamAlert silently
// skips merging unless both the keys and a window are set, which is never
// what the author of one of them meant.
func (f *yfile) checkMerge(n, window *yaml.Node, r *ruleSpec) {
	switch {
	case len(r.MergeByKeys) > 0 && r.MergeWindow == 0:
		f.errorf(n, r.Name, "merge_by_keys needs merge_window_mins greater than 0 to merge anything")
	case len(r.MergeByKeys) == 0 && window != nil && r.MergeWindow > 0:
		f.errorf(window, r.Name, "merge_window_mins needs merge_by_keys to merge anything")
	}
}

// strsAt is strs that also returns each element's position.
func (f *yfile) strsAt(n *yaml.Node, rule, what string) ([]string, []pos) {
	if n.Kind != yaml.SequenceNode {
		f.errorf(n, rule, "%s must be a list of strings, got %s", what, kindName(n))
		return nil, nil
	}
	var out []string
	var at []pos
	for i, e := range n.Content {
		e = f.resolve(e)
		if s, ok := f.str(e, rule, fmt.Sprintf("%s[%d]", what, i)); ok {
			out, at = append(out, s), append(at, f.at(e))
		}
	}
	return out, at
}

func (f *yfile) reqSubkeys(n *yaml.Node, rule string) []Subkeys {
	var out []Subkeys
	f.mapping(n, rule, "req_subkeys", fieldsFunc(func(k, v *yaml.Node) {
		sub := f.strs(v, rule, "req_subkeys."+k.Value)
		if len(sub) == 0 && v.Kind == yaml.SequenceNode {
			f.errorf(v, rule, "req_subkeys.%s lists no subkeys", k.Value)
		}
		out = append(out, Subkeys{Key: k.Value, Subkeys: sub})
	}))
	return out
}

// fieldsFunc makes a fields table that accepts any key.
func fieldsFunc(fn func(k, v *yaml.Node)) fields { return fields{anyKey: fn} }

func (f *yfile) outputs(n *yaml.Node, rule string) ([]string, []pos) {
	outs, at := f.strsAt(n, rule, "outputs")
	for i, o := range outs {
		if !validOutput(o) {
			f.probs.errorf(at[i], rule, "output %q is not service:descriptor", o)
		}
	}
	return outs, at
}

func validOutput(o string) bool {
	service, desc, ok := strings.Cut(o, ":")
	return ok && service != "" && desc != ""
}

func (f *yfile) context(n *yaml.Node, r *ruleSpec) {
	v, ok := f.value(n, r.Name, "context")
	if !ok {
		return
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		f.errorf(n, r.Name, "context must be a mapping, got %s", kindName(n))
		return
	}
	raw, err := json.Marshal(m)
	if err != nil {
		f.errorf(n, r.Name, "context: %s", err)
		return
	}
	r.context, r.Context = m, raw
}

// publishers decodes the three forms: a name, a list of names, or a
// mapping of output service or exact output to a name or list.
func (f *yfile) publishers(n *yaml.Node, rule string) Publishers {
	var p Publishers
	switch n.Kind {
	case yaml.ScalarNode:
		if s, ok := f.str(n, rule, "publishers"); ok {
			p.All = []string{s}
		}
	case yaml.SequenceNode:
		p.All = f.strs(n, rule, "publishers")
	case yaml.MappingNode:
		p.ByOutput = map[string][]string{}
		f.mapping(n, rule, "publishers", fieldsFunc(func(k, v *yaml.Node) {
			what := "publishers." + k.Value
			if strings.Count(k.Value, ":") > 1 || strings.HasPrefix(k.Value, ":") || strings.HasSuffix(k.Value, ":") {
				f.errorf(k, rule, "%s: keys are an output service (slack) or an output (slack:alerts)", what)
			}
			if v.Kind == yaml.ScalarNode {
				if s, ok := f.str(v, rule, what); ok {
					p.ByOutput[k.Value] = []string{s}
				}
				return
			}
			p.ByOutput[k.Value] = f.strs(v, rule, what)
		}))
	default:
		f.errorf(n, rule, "publishers must be a name, a list or a mapping, got %s", kindName(n))
	}
	return p
}
