package config

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// file is one config file being decoded: its bytes (for positions and raw
// copies), its parsed tree, and the list its problems go to.
type file struct {
	name  string // relative to the conf directory, slash-separated
	data  []byte
	root  *node
	probs *Problems
}

// parseFile parses data and reports syntax errors and duplicate keys. The
// file's root is nil if it is not valid JSON; decoders then find nothing.
func parseFile(name string, data []byte, probs *Problems) *file {
	f := &file{name: name, data: data, probs: probs}
	root, dups, off, err := parseTree(data)
	if err != nil {
		f.report(SeverityError, off, "", "invalid JSON: %s", err.Error())
		return f
	}
	for _, d := range dups {
		f.report(SeverityError, d.off, d.path, "duplicate key (StreamAlert would silently keep the last one)")
	}
	f.root = root
	return f
}

func (f *file) report(sev Severity, off int, p jpath, format string, args ...any) {
	line, col := lineCol(f.data, off)
	*f.probs = append(*f.probs, Problem{File: f.name, Line: line, Column: col, Path: string(p),
		Message: fmt.Sprintf(format, args...), Severity: sev})
}

func (f *file) errorf(n *node, p jpath, format string, args ...any) {
	f.report(SeverityError, n.start, p, format, args...)
}

func (f *file) warnf(n *node, p jpath, format string, args ...any) {
	f.report(SeverityWarning, n.start, p, format, args...)
}

// fields maps the keys an object may have to their decoders.
type fields map[string]func(n *node, p jpath)

// object decodes n as an object whose keys must all be in fs.
func (f *file) object(n *node, p jpath, fs fields) bool {
	return f.objectWith(n, p, fs, func(m member, mp jpath) { f.unknownKey(m, mp, fs) })
}

// objectWith decodes n as an object, handing keys not in fs to other (nil
// to ignore them). It returns false if n is not an object.
func (f *file) objectWith(n *node, p jpath, fs fields, other func(m member, p jpath)) bool {
	if !f.want(n, p, kindObject) {
		return false
	}
	for _, m := range n.members {
		if fn, ok := fs[m.key]; ok {
			fn(m.val, p.key(m.key))
		} else if other != nil {
			other(m, p.key(m.key))
		}
	}
	return true
}

// unknownKey reports m, suggesting the nearest known key: most unknown
// keys are typos of a real one.
func (f *file) unknownKey(m member, p jpath, fs fields) {
	best, dist := "", 3
	for k := range fs {
		if d := editDistance(m.key, k); d < dist || d == dist && k < best {
			best, dist = k, d
		}
	}
	if best != "" && dist < 3 {
		f.report(SeverityError, m.keyOff, p, "unknown key (did you mean %q?)", best)
		return
	}
	f.report(SeverityError, m.keyOff, p, "unknown key")
}

// require reports each key of keys that object n lacks.
func (f *file) require(n *node, p jpath, keys ...string) {
	if n.kind != kindObject {
		return
	}
	for _, k := range keys {
		if !slices.ContainsFunc(n.members, func(m member) bool { return m.key == k }) {
			f.errorf(n, p, "missing required key %q", k)
		}
	}
}

func (f *file) want(n *node, p jpath, k kind) bool {
	if n.kind != k {
		f.errorf(n, p, "want %s, got %s", k, n.kind)
		return false
	}
	return true
}

func (f *file) toStr(dst *string) func(*node, jpath) {
	return func(n *node, p jpath) {
		if f.want(n, p, kindString) {
			*dst = n.text
		}
	}
}

func (f *file) toBool(dst *bool) func(*node, jpath) {
	return func(n *node, p jpath) {
		if f.want(n, p, kindBool) {
			*dst = n.boolean
		}
	}
}

func (f *file) toInt(dst *int) func(*node, jpath) {
	return func(n *node, p jpath) { f.integer(n, p, dst) }
}

// integer decodes a JSON integer. A literal with a fraction or exponent is
// refused even when integral, since StreamAlert's Python would keep it a
// float where an int is meant.
func (f *file) integer(n *node, p jpath, dst *int) bool {
	if n.kind != kindNumber {
		f.errorf(n, p, "want integer, got %s", n.kind)
		return false
	}
	v, err := strconv.Atoi(n.text)
	if err != nil {
		f.errorf(n, p, "want integer, got %s", n.text)
		return false
	}
	*dst = v
	return true
}

func (f *file) toStrs(dst *[]string) func(*node, jpath) {
	return func(n *node, p jpath) { *dst = f.strs(n, p) }
}

// strs decodes an array of strings, reporting every non-string element.
func (f *file) strs(n *node, p jpath) []string {
	if !f.want(n, p, kindArray) {
		return nil
	}
	out := make([]string, 0, len(n.elems))
	for i, e := range n.elems {
		if f.want(e, p.index(i), kindString) {
			out = append(out, e.text)
		}
	}
	return out
}

// toRaw keeps a value verbatim; want restricts its JSON kind.
func (f *file) toRaw(dst *json.RawMessage, want kind) func(*node, jpath) {
	return func(n *node, p jpath) {
		if f.want(n, p, want) {
			*dst = n.raw(f.data)
		}
	}
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
