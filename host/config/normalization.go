package config

// NormalizedField is one entry of a schema's v2 "normalization" (reference
// §2.2): the normalized name ("ip_address") and where its values come
// from. The classifier writes matches under the record key
// "streamalert_normalization".
type NormalizedField struct {
	Name   string
	Params []NormalizationParam
}

// NormalizationParam is one place a normalized value is taken from.
// StreamAlert's short form, a list of strings, is one param whose Path is
// that list.
type NormalizationParam struct {
	Path     []string
	Function string     // description of the value, "" when not given
	When     *Condition // nil: always
	// SendToArtifacts is false only when the file says
	// "send_to_artifacts": false.
	SendToArtifacts bool
}

// Condition restricts a param to records whose value at Path (lowercased
// string) satisfies Op. StreamAlert evaluates only the first operator
// present, so the loader refuses several.
type Condition struct {
	Path []string
	// Op is is, is_not, in, not_in, contains or not_contains.
	Op string
	// Value is the operand of is, is_not, contains and not_contains, and of
	// in/not_in when the file gives a string (then, as in Python, "in"
	// tests for a substring).
	Value string
	// Values is the operand of in/not_in given as a list.
	Values []string
}

// conditionOps lists the operators in the order StreamAlert tries them.
var conditionOps = []string{"is", "is_not", "in", "not_in", "contains", "not_contains"}

// normalization decodes configuration.normalization of s.
func (f *file) normalization(s *Schema, n *node, p jpath) []NormalizedField {
	if !f.want(n, p, kindObject) {
		return nil
	}
	out := make([]NormalizedField, 0, len(n.members))
	for _, m := range n.members {
		mp := p.key(m.key)
		if !f.want(m.val, mp, kindArray) {
			continue
		}
		nf := NormalizedField{Name: m.key}
		switch {
		case len(m.val.elems) == 0:
			f.errorf(m.val, mp, "empty normalization: give a key path or a list of {\"path\": [...]} objects")
		case m.val.elems[0].kind == kindString:
			// Short form: the whole list is one key path.
			path := f.strs(m.val, mp)
			if len(path) == len(m.val.elems) {
				f.checkPath(s, m.val, mp, path)
			}
			nf.Params = []NormalizationParam{{Path: path, SendToArtifacts: true}}
		default:
			for i, e := range m.val.elems {
				if prm, ok := f.normalizationParam(s, e, mp.index(i)); ok {
					nf.Params = append(nf.Params, prm)
				}
			}
		}
		out = append(out, nf)
	}
	return out
}

// normalizationParam decodes one long-form entry. StreamAlert refuses a
// list mixing strings and objects, and so does this (an element that is
// not an object is reported here).
func (f *file) normalizationParam(s *Schema, n *node, p jpath) (NormalizationParam, bool) {
	prm := NormalizationParam{SendToArtifacts: true}
	ok := f.object(n, p, fields{
		"path": func(n *node, p jpath) {
			prm.Path = f.keyPath(n, p)
			f.checkPath(s, n, p, prm.Path)
		},
		"function":          f.toStr(&prm.Function),
		"send_to_artifacts": f.toBool(&prm.SendToArtifacts),
		"condition": func(n *node, p jpath) {
			prm.When = f.condition(s, n, p)
		},
	})
	f.require(n, p, "path")
	return prm, ok
}

// keyPath decodes a non-empty list of keys.
func (f *file) keyPath(n *node, p jpath) []string {
	path := f.strs(n, p)
	if n.kind == kindArray && len(n.elems) == 0 {
		f.errorf(n, p, "empty key path")
	}
	return path
}

func (f *file) condition(s *Schema, n *node, p jpath) *Condition {
	c := &Condition{}
	var ops []string
	fs := fields{"path": func(n *node, p jpath) {
		c.Path = f.keyPath(n, p)
		f.checkPath(s, n, p, c.Path)
	}}
	for _, op := range conditionOps {
		list := op == "in" || op == "not_in"
		fs[op] = func(n *node, p jpath) {
			ops = append(ops, op)
			c.Op = op
			switch {
			case n.kind == kindArray && list:
				c.Values = f.strs(n, p)
			case n.kind == kindString:
				c.Value = n.text
			case list:
				f.errorf(n, p, "want string or list of strings, got %s", n.kind)
			default:
				f.errorf(n, p, "want string, got %s", n.kind)
			}
			if (n.kind == kindString || n.kind == kindArray) && len(n.text)+len(n.elems) == 0 {
				f.errorf(n, p, "empty operand: StreamAlert skips falsy operands, so this operator is never evaluated")
			}
		}
	}
	if !f.object(n, p, fs) {
		return nil
	}
	f.require(n, p, "path")
	switch len(ops) {
	case 0:
		f.errorf(n, p, "condition without an operator (one of is, is_not, in, not_in, contains, not_contains) never matches")
	case 1:
	default:
		f.errorf(n, p, "condition has several operators %v; StreamAlert evaluates only the first it finds, so give one", ops)
	}
	return c
}
