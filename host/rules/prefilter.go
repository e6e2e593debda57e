package rules

import (
	"slices"

	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
)

// Most rules start by testing one field against a constant:
// record.eventName == "StopLogging", record.action in [...]. Such a test,
// ANDed at the top of a matcher or condition, is a discriminator: no
// record whose value there differs can match, and CEL's && is false when
// either side is false, whatever the other side would do, so skipping
// the rule for such a record changes nothing but the time spent. The
// index groups each log type's rules by discriminator, so a record is
// offered only to the rules whose constant it carries plus those without
// a discriminator: with a thousand CloudTrail rules keyed on eventName, a
// record meets a few dozen.

// discriminator is a record path and the string values one of which a
// matching record must hold there.
type discriminator struct {
	path   []string
	values []string
}

// findDiscriminator returns the first discriminator ANDed at the top of e.
func findDiscriminator(e ast.Expr) (discriminator, bool) {
	if e.Kind() != ast.CallKind {
		return discriminator{}, false
	}
	call := e.AsCall()
	args := call.Args()
	switch call.FunctionName() {
	case operators.LogicalAnd:
		for _, a := range args {
			if d, ok := findDiscriminator(a); ok {
				return d, true
			}
		}
	case operators.Equals:
		for i := range 2 {
			if p, ok := recordPath(args[i]); ok {
				if s, ok := stringLiteral(args[1-i]); ok {
					return discriminator{path: p, values: []string{s}}, true
				}
			}
		}
	case operators.In:
		p, ok := recordPath(args[0])
		if !ok || args[1].Kind() != ast.ListKind || len(args[1].AsList().OptionalIndices()) > 0 {
			break
		}
		var vals []string
		for _, el := range args[1].AsList().Elements() {
			s, ok := stringLiteral(el)
			if !ok {
				return discriminator{}, false
			}
			vals = append(vals, s)
		}
		if len(vals) > 0 {
			return discriminator{path: p, values: vals}, true
		}
	}
	return discriminator{}, false
}

// recordPath recognizes record.a.b and record["a"]["b"].
func recordPath(e ast.Expr) ([]string, bool) {
	switch e.Kind() {
	case ast.IdentKind:
		return nil, e.AsIdent() == "record"
	case ast.SelectKind:
		sel := e.AsSelect()
		if sel.IsTestOnly() {
			return nil, false
		}
		p, ok := recordPath(sel.Operand())
		return append(p, sel.FieldName()), ok
	case ast.CallKind:
		call := e.AsCall()
		if call.FunctionName() != operators.Index || call.IsMemberFunction() {
			return nil, false
		}
		key, ok := stringLiteral(call.Args()[1])
		if !ok {
			return nil, false
		}
		p, ok := recordPath(call.Args()[0])
		return append(p, key), ok
	}
	return nil, false
}

func stringLiteral(e ast.Expr) (string, bool) {
	if e.Kind() != ast.LiteralKind {
		return "", false
	}
	s, ok := e.AsLiteral().(types.String)
	return string(s), ok
}

// ruleIndex holds the rules to offer one log type's records.
type ruleIndex struct {
	// all is every rule, in load order: what a record gets when one of
	// its discriminating values is missing or not a string.
	all []*compiled
	// always are the rules without a discriminator.
	always []*compiled
	fields []fieldIndex
}

type fieldIndex struct {
	path    []string
	byValue map[string][]*compiled
}

func newRuleIndex(list []*compiled) *ruleIndex {
	ix := &ruleIndex{all: list}
	for _, c := range list {
		if c.disc == nil {
			ix.always = append(ix.always, c)
			continue
		}
		i := slices.IndexFunc(ix.fields, func(f fieldIndex) bool { return slices.Equal(f.path, c.disc.path) })
		if i < 0 {
			ix.fields = append(ix.fields, fieldIndex{path: c.disc.path, byValue: map[string][]*compiled{}})
			i = len(ix.fields) - 1
		}
		for _, v := range c.disc.values {
			if l := ix.fields[i].byValue[v]; len(l) == 0 || l[len(l)-1] != c {
				ix.fields[i].byValue[v] = append(l, c)
			}
		}
	}
	return ix
}

// candidates returns the rules to offer a record with data, in load
// order. buf is scratch space: the list is built there when the index
// narrows it, and the (possibly grown) buffer is returned for reuse, never
// a slice of the index itself, which callers must not write to.
func (ix *ruleIndex) candidates(data map[string]any, buf []*compiled) (list, scratch []*compiled) {
	if len(ix.fields) == 0 {
		return ix.all, buf
	}
	buf = append(buf[:0], ix.always...)
	for _, f := range ix.fields {
		v, ok := stringAt(data, f.path)
		if !ok {
			return ix.all, buf
		}
		buf = append(buf, f.byValue[v]...)
	}
	if len(ix.fields) > 1 || len(ix.always) > 0 {
		slices.SortFunc(buf, func(a, b *compiled) int { return a.pos - b.pos })
	}
	return buf, buf
}

func stringAt(data map[string]any, path []string) (string, bool) {
	var cur any = data
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		if cur, ok = m[k]; !ok {
			return "", false
		}
	}
	s, ok := cur.(string)
	return s, ok
}
