package rules

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxNodes bounds the nodes one file may expand to through aliases, so a
// few lines of anchors cannot make the loader walk billions of nodes.
const maxNodes = 1 << 20

// yfile decodes one YAML file strictly: every key must be known, every
// value of the expected type, and every problem is recorded with its line
// rather than stopping at the first.
type yfile struct {
	name  string
	data  []byte
	probs *problems
	nodes int
}

func (f *yfile) at(n *yaml.Node) pos { return pos{file: f.name, line: n.Line, col: n.Column} }

func (f *yfile) errorf(n *yaml.Node, rule, format string, args ...any) {
	f.probs.errorf(f.at(n), rule, format, args...)
}

// parse returns the document's root node, nil after reporting a syntax
// error or an empty file.
func (f *yfile) parse() *yaml.Node {
	var doc yaml.Node
	d := yaml.NewDecoder(bytes.NewReader(f.data))
	if err := d.Decode(&doc); err != nil {
		f.probs.errorf(pos{file: f.name, line: yamlErrLine(err)}, "", "%s", yamlErrText(err))
		return nil
	}
	var extra yaml.Node
	if err := d.Decode(&extra); err == nil {
		f.errorf(&extra, "", "a rule file holds one YAML document; put every rule in its list")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil
	}
	return doc.Content[0]
}

// yamlErrLine digs the line out of a yaml error ("yaml: line 3: ...").
func yamlErrLine(err error) int {
	s := err.Error()
	if _, rest, ok := strings.Cut(s, "line "); ok {
		end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
		if end > 0 {
			n, _ := strconv.Atoi(rest[:end])
			return n
		}
	}
	return 0
}

func yamlErrText(err error) string {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	if i := strings.Index(s, ": "); strings.HasPrefix(s, "line ") && i > 0 {
		s = s[i+2:]
	}
	return s
}

// resolve follows aliases and charges the node against the file's budget.
func (f *yfile) resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	f.nodes++
	return n
}

func (f *yfile) exhausted() bool { return f.nodes > maxNodes }

// kindName names a node's kind for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		}
		return fmt.Sprintf("the string %q", n.Value)
	}
	return "a document"
}

// fields maps the keys of a mapping to their decoders; the decoder under
// anyKey takes every key.
type fields map[string]func(key, val *yaml.Node)

const anyKey = "\x00any"

// mapping decodes the mapping n with fs: unknown and repeated keys are
// errors that list what is allowed. It reports whether n was a mapping.
func (f *yfile) mapping(n *yaml.Node, rule, what string, fs fields) bool {
	n = f.resolve(n)
	if n.Kind != yaml.MappingNode {
		f.errorf(n, rule, "%s must be a mapping, got %s", what, kindName(n))
		return false
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := f.resolve(n.Content[i]), f.resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			f.errorf(k, rule, "%s: keys must be strings", what)
			continue
		}
		if seen[k.Value] {
			f.errorf(k, rule, "%s: key %q appears twice", what, k.Value)
			continue
		}
		seen[k.Value] = true
		dec, ok := fs[k.Value]
		if !ok {
			dec, ok = fs[anyKey]
		}
		if !ok {
			f.errorf(k, rule, "%s: unknown key %q (known: %s)", what, k.Value, keyList(fs))
			continue
		}
		dec(k, v)
	}
	return true
}

func keyList(fs fields) string {
	keys := make([]string, 0, len(fs))
	for k := range fs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

// str decodes a string. Any scalar but null is taken as its text, so
// `severity: high` and `description: 42` both work; a mapping or list is
// an error.
func (f *yfile) str(n *yaml.Node, rule, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		f.errorf(n, rule, "%s must be a string, got %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

// strs decodes a list of strings; a single string is not accepted as a
// list of one, since that usually means a missing dash or bracket.
func (f *yfile) strs(n *yaml.Node, rule, what string) []string {
	if n.Kind != yaml.SequenceNode {
		f.errorf(n, rule, "%s must be a list of strings, got %s", what, kindName(n))
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for i, e := range n.Content {
		if s, ok := f.str(f.resolve(e), rule, fmt.Sprintf("%s[%d]", what, i)); ok {
			out = append(out, s)
		}
	}
	return out
}

func (f *yfile) boolean(n *yaml.Node, rule, what string) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		f.errorf(n, rule, "%s must be true or false, got %s", what, kindName(n))
		return false, false
	}
	return n.Value == "true" || n.Value == "True" || n.Value == "TRUE", true
}

func (f *yfile) natural(n *yaml.Node, rule, what string) (int, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		if v, err := strconv.ParseInt(n.Value, 0, 32); err == nil && v >= 0 {
			return int(v), true
		}
	}
	f.errorf(n, rule, "%s must be a whole number, 0 or more, got %q", what, n.Value)
	return 0, false
}

// value converts any node to the JSON-shaped values rules see: nil, bool,
// int64, float64, string, []any and map[string]any.
func (f *yfile) value(n *yaml.Node, rule, what string) (any, bool) {
	n = f.resolve(n)
	if f.exhausted() {
		f.errorf(n, rule, "%s: too many nodes (aliases expand to more than %d)", what, maxNodes)
		return nil, false
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		ok := true
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := f.resolve(n.Content[i])
			if k.Kind != yaml.ScalarNode {
				f.errorf(k, rule, "%s: keys must be strings", what)
				ok = false
				continue
			}
			if _, dup := m[k.Value]; dup {
				f.errorf(k, rule, "%s: key %q appears twice", what, k.Value)
				ok = false
				continue
			}
			v, vok := f.value(n.Content[i+1], rule, what+"."+k.Value)
			m[k.Value], ok = v, ok && vok
		}
		return m, ok
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		ok := true
		for i, e := range n.Content {
			v, eok := f.value(e, rule, fmt.Sprintf("%s[%d]", what, i))
			l, ok = append(l, v), ok && eok
		}
		return l, ok
	case yaml.ScalarNode:
		return f.scalar(n, rule, what)
	}
	f.errorf(n, rule, "%s: unsupported YAML node", what)
	return nil, false
}

func (f *yfile) scalar(n *yaml.Node, rule, what string) (any, bool) {
	switch n.ShortTag() {
	case "!!null":
		return nil, true
	case "!!bool":
		return strings.EqualFold(n.Value, "true"), true
	case "!!int":
		var v any
		if err := n.Decode(&v); err == nil {
			switch x := v.(type) {
			case int:
				return int64(x), true
			case int64:
				return x, true
			case uint64:
				return float64(x), true
			}
		}
	case "!!float":
		var v float64
		if err := n.Decode(&v); err == nil && !math.IsInf(v, 0) && !math.IsNaN(v) {
			return v, true
		}
		f.errorf(n, rule, "%s: %q is not a number JSON can hold", what, n.Value)
		return nil, false
	case "!!str":
		return n.Value, true
	}
	f.errorf(n, rule, "%s: unsupported value %q (tag %s)", what, n.Value, n.ShortTag())
	return nil, false
}
