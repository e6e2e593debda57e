package streamquery

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// packFile decodes one query file, recording every problem with its line.
type packFile struct {
	name  string
	probs Problems
}

func (p *packFile) errorf(line int, format string, args ...any) {
	p.probs = append(p.probs, Problem{File: p.name, Line: line, Message: fmt.Sprintf(format, args...)})
}

func (p *packFile) parse(data []byte) *Query {
	root := p.document(data)
	if root == nil {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		p.errorf(root.Line, "a query file is a mapping of name, description, query, params and tags; got %s", kindName(root))
		return nil
	}
	q := &Query{File: p.name, Line: root.Line}
	var queryNode *yaml.Node
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], resolve(root.Content[i+1])
		if prev, dup := seen[k.Value]; dup {
			p.errorf(k.Line, "%s is given twice (first at line %d)", k.Value, prev.Line)
			continue
		}
		seen[k.Value] = v
		switch k.Value {
		case "name":
			q.Name = p.str(v, "name")
			if q.Name != "" && !queryNameRE.MatchString(q.Name) {
				p.errorf(v.Line, "name %q: want 1-128 letters, digits, '_', '.' or '-'", q.Name)
			}
		case "description":
			q.Description = p.str(v, "description")
		case "query":
			q.Query, queryNode = p.str(v, "query"), v
		case "params":
			q.Params = p.list(v, "params")
		case "tags":
			q.Tags = p.list(v, "tags")
		default:
			p.errorf(k.Line, "unknown key %q (want name, description, query, params or tags)", k.Value)
		}
	}
	for _, key := range []string{"name", "query", "tags"} {
		if v, ok := seen[key]; !ok {
			p.errorf(root.Line, "%s is required", key)
		} else if v.ShortTag() == "!!null" {
			p.errorf(v.Line, "%s is required", key)
		}
	}
	if v, ok := seen["tags"]; ok && v.Kind == yaml.SequenceNode && len(q.Tags) == 0 && len(v.Content) == 0 {
		p.errorf(v.Line, "tags: at least one tag is required; a pack runs the queries carrying its name")
	}
	p.checkParams(q, seen["params"])
	if queryNode != nil {
		p.checkQuery(q, queryNode)
	}
	if len(p.probs) > 0 {
		return nil
	}
	return q
}

// document returns the file's one document's root node.
func (p *packFile) document(data []byte) *yaml.Node {
	d := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := d.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.errorf(0, "empty; want a query: name, query and tags")
		} else {
			p.errorf(yamlErrLine(err), "%s", yamlErrText(err))
		}
		return nil
	}
	var extra yaml.Node
	if err := d.Decode(&extra); err == nil {
		line := extra.Line
		if len(extra.Content) > 0 {
			line = extra.Content[0].Line
		}
		p.errorf(line, "a query file holds one query; put the next one in its own file")
		return nil
	} else if !errors.Is(err, io.EOF) {
		p.errorf(yamlErrLine(err), "%s", yamlErrText(err))
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		p.errorf(0, "empty; want a query: name, query and tags")
		return nil
	}
	return resolve(doc.Content[0])
}

// str reads a string scalar; other kinds are reported.
func (p *packFile) str(v *yaml.Node, key string) string {
	if v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" {
		if v.ShortTag() != "!!null" {
			p.errorf(v.Line, "%s: want a string, got %s", key, kindName(v))
		}
		return ""
	}
	if v.ShortTag() != "!!str" {
		p.errorf(v.Line, "%s: want a string, got %s (quote it)", key, kindName(v))
		return ""
	}
	return v.Value
}

// list reads a list of distinct, non-empty strings.
func (p *packFile) list(v *yaml.Node, key string) []string {
	if v.ShortTag() == "!!null" {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		p.errorf(v.Line, "%s: want a list of strings, got %s", key, kindName(v))
		return nil
	}
	var out []string
	for _, e := range v.Content {
		e = resolve(e)
		s := p.str(e, key)
		switch {
		case s == "" && e.Kind == yaml.ScalarNode && e.ShortTag() == "!!str":
			p.errorf(e.Line, "%s: empty string", key)
		case s != "" && slices.Contains(out, s):
			p.errorf(e.Line, "%s: %q is listed twice", key, s)
		case s != "":
			out = append(out, s)
		}
	}
	return out
}

// checkParams reports parameters that are not built in.
func (p *packFile) checkParams(q *Query, v *yaml.Node) {
	if v == nil || v.Kind != yaml.SequenceNode {
		return
	}
	for _, e := range v.Content {
		e = resolve(e)
		if _, ok := generators[e.Value]; e.Kind == yaml.ScalarNode && e.Value != "" && !ok {
			p.errorf(e.Line, "params: unknown parameter %q (want one of %s)", e.Value, strings.Join(ParamNames(), ", "))
		}
	}
}

// checkQuery reports malformed placeholders and those naming no
// parameter of the query, at their own line.
func (p *packFile) checkQuery(q *Query, v *yaml.Node) {
	if strings.TrimSpace(q.Query) == "" {
		if v.ShortTag() == "!!str" {
			p.errorf(v.Line, "query is empty")
		}
		return
	}
	if len(q.Query) > maxQueryBytes {
		p.errorf(v.Line, "query is %d bytes; Athena takes at most %d", len(q.Query), maxQueryBytes)
	}
	for _, s := range scanFormat(q.Query) {
		line := queryLine(v, q.Query, s.off)
		switch {
		case s.err != "":
			p.errorf(line, "query: %s", s.err)
		case s.field != "" && !slices.Contains(q.Params, s.field):
			if _, builtin := generators[s.field]; builtin {
				p.errorf(line, "query: placeholder {%s} is not in params; add it there", s.field)
			} else {
				p.errorf(line, "query: placeholder {%s} names no parameter (params are %s; write {{ and }} for literal braces)", s.field, strings.Join(ParamNames(), ", "))
			}
		}
	}
}

// queryLine is the file line of byte off of the query's text: literal
// block scalars keep their lines, starting below the key.
func queryLine(v *yaml.Node, text string, off int) int {
	if v.Style&yaml.LiteralStyle != 0 {
		return v.Line + 1 + strings.Count(text[:off], "\n")
	}
	return v.Line
}

// resolve follows aliases.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

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
	return "an alias"
}

// yamlErrLine digs the line out of a yaml error ("yaml: line 3: ...").
func yamlErrLine(err error) int {
	_, rest, ok := strings.Cut(err.Error(), "line ")
	if !ok {
		return 0
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end <= 0 {
		return 0
	}
	n, _ := strconv.Atoi(rest[:end])
	return n
}

func yamlErrText(err error) string {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	if i := strings.Index(s, ": "); strings.HasPrefix(s, "line ") && i > 0 {
		s = s[i+2:]
	}
	return s
}
