package merge

// The three record operations of StreamAlert's Alert.merge, on parsed
// records. Each returns new objects and shares unchanged values with its
// input; nothing here modifies a node.

// clean returns rec without the merge keys in it or in any object nested
// in objects (StreamAlert's _clean_record): objects inside lists are left
// as they are, since the original only recursed into dict values.
func clean(rec *node, keys map[string]bool) *node {
	if !rec.isObj {
		return rec
	}
	out := newObject()
	for _, m := range rec.members {
		if keys[m.key] {
			continue
		}
		out.set(m.key, clean(m.val, keys))
	}
	return out
}

// common is StreamAlert's _compute_common: the members of the first record
// present in every record, kept whole where all records agree, and for
// objects that differ, their common part when every record has an object
// there and that part is not empty. One record is its own common part.
func common(recs []*node) *node {
	switch len(recs) {
	case 0:
		return newObject()
	case 1:
		return recs[0]
	}
	out := newObject()
	for _, m := range recs[0].members {
		vals, ok := valuesOf(recs[1:], m.key)
		if !ok {
			continue
		}
		if allEqual(m.val, vals) {
			out.set(m.key, m.val)
			continue
		}
		if !m.val.isObj || !allObjects(vals) {
			continue
		}
		if nested := common(append([]*node{m.val}, vals...)); !nested.empty() {
			out.set(m.key, nested)
		}
	}
	return out
}

// diff is StreamAlert's _compute_diff: what rec has that common does not,
// recursing into objects present in both; an empty common part gives the
// whole record.
func diff(common, rec *node) *node {
	if common.empty() {
		return rec
	}
	out := newObject()
	for _, m := range rec.members {
		c, ok := common.get(m.key)
		switch {
		case !ok:
			out.set(m.key, m.val)
		case m.val.equal(c):
		case m.val.isObj && c.isObj:
			if inner := diff(c, m.val); !inner.empty() {
				out.set(m.key, inner)
			}
		default:
			out.set(m.key, m.val)
		}
	}
	return out
}

// valuesOf returns each record's value of key, and false if any lacks it.
func valuesOf(recs []*node, key string) ([]*node, bool) {
	vals := make([]*node, len(recs))
	for i, r := range recs {
		v, ok := r.get(key)
		if !ok {
			return nil, false
		}
		vals[i] = v
	}
	return vals, true
}

func allEqual(v *node, vals []*node) bool {
	for _, o := range vals {
		if !v.equal(o) {
			return false
		}
	}
	return true
}

func allObjects(vals []*node) bool {
	for _, o := range vals {
		if !o.isObj {
			return false
		}
	}
	return true
}
