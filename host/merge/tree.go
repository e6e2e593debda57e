package merge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/streamalert-go/sa/host/alert"
)

// node is a parsed JSON value with what merging needs: an object keeps its
// members in document order, a repeated key at its first place with its
// last value (as Python's json.loads leaves it), so the merged record lists
// keys in the order the records had them; any other value, arrays
// included, is kept as written, because StreamAlert compares lists whole
// and never looks inside them.
type node struct {
	isObj   bool
	members []member
	index   map[string]int  // key → position in members, for objects
	raw     json.RawMessage // for values that are not objects
	canon   string          // canonical form, computed on first use
	sz      int             // length of the encoding, computed on first use
}

type member struct {
	key string
	val *node
}

// parse reads one JSON value. Records are parsed once per merge and are
// the merger's main cost, so objects are walked with a byte scanner over
// the validated input instead of a json.Decoder per level.
func parse(raw json.RawMessage) (*node, error) {
	if !json.Valid(raw) {
		return nil, fmt.Errorf("invalid JSON value")
	}
	n, _ := scanValue(raw, skipSpace(raw, 0))
	return n, nil
}

// scanValue reads the value at b[i:], valid JSON, and returns it with the
// index just past it.
func scanValue(b []byte, i int) (*node, int) {
	if b[i] != '{' {
		end := skipValue(b, i)
		return &node{raw: json.RawMessage(b[i:end])}, end
	}
	n := newObject()
	i = skipSpace(b, i+1)
	for b[i] != '}' {
		end := skipString(b, i)
		key := unquote(b[i:end])
		i = skipSpace(b, end)
		i = skipSpace(b, i+1) // past ':'
		var v *node
		v, i = scanValue(b, i)
		n.set(key, v)
		i = skipSpace(b, i)
		if b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	return n, i + 1
}

// skipValue returns the index just past the value at b[i:].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	}
	for i < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[i])) {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i].
func skipString(b []byte, i int) int {
	for i++; b[i] != '"'; i++ {
		if b[i] == '\\' {
			i++
		}
	}
	return i + 1
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// unquote decodes a JSON string literal, quickly when it has no escapes.
func unquote(lit []byte) string {
	if bytes.IndexByte(lit, '\\') < 0 {
		return string(lit[1 : len(lit)-1])
	}
	var s string
	_ = json.Unmarshal(lit, &s) // valid by construction
	return s
}

func newObject() *node { return &node{isObj: true, index: map[string]int{}} }

// set adds key, or replaces its value in place when present.
func (n *node) set(key string, v *node) {
	if i, ok := n.index[key]; ok {
		n.members[i].val = v
		return
	}
	n.index[key] = len(n.members)
	n.members = append(n.members, member{key, v})
}

// get returns the value of key in an object.
func (n *node) get(key string) (*node, bool) {
	i, ok := n.index[key]
	if !ok {
		return nil, false
	}
	return n.members[i].val, true
}

// empty reports whether n is an object without members: Python's "not d".
func (n *node) empty() bool { return n.isObj && len(n.members) == 0 }

// equal is Python's == on the decoded values.
func (n *node) equal(o *node) bool { return n.canonical() == o.canonical() }

// canonical returns a form equal for values Python finds equal; see
// alert.Canonical, which it matches for objects and delegates to otherwise.
func (n *node) canonical() string {
	if n.canon != "" {
		return n.canon
	}
	if !n.isObj {
		n.canon = canonicalLeaf(n.raw)
		return n.canon
	}
	ms := slices.Clone(n.members)
	slices.SortFunc(ms, func(a, b member) int { return strings.Compare(a.key, b.key) })
	var b strings.Builder
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(quote(m.key))
		b.WriteByte(':')
		b.WriteString(m.val.canonical())
	}
	b.WriteByte('}')
	n.canon = b.String()
	return n.canon
}

// canonicalLeaf is alert.Canonical of a value that is not an object, with
// the common cases that are canonical as written (literals, plain
// integers, strings without escapes) taken as they are.
func canonicalLeaf(raw json.RawMessage) string {
	switch {
	case len(raw) >= 2 && raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0:
		return string(raw)
	case string(raw) == "true", string(raw) == "false", string(raw) == "null", plainInteger(raw):
		return string(raw)
	}
	c, err := alert.Canonical(raw)
	if err != nil {
		return string(raw) // parse validated it; kept as is if that ever changes
	}
	return string(c)
}

// plainInteger matches integers with no sign but '-', no leading zero and
// at most 15 digits, which every canonical form writes unchanged.
func plainInteger(raw []byte) bool {
	digits := bytes.TrimPrefix(raw, []byte("-"))
	if len(digits) == 0 || len(digits) > 15 || (digits[0] == '0' && len(raw) > 1) {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// encode writes n compactly, objects in member order.
func (n *node) encode(b *bytes.Buffer) {
	if !n.isObj {
		b.Write(n.raw)
		return
	}
	b.WriteByte('{')
	for i, m := range n.members {
		if i > 0 {
			b.WriteByte(',')
		}
		encodeMember(b, m)
	}
	b.WriteByte('}')
}

func encodeMember(b *bytes.Buffer, m member) {
	b.Write(quote(m.key))
	b.WriteByte(':')
	m.val.encode(b)
}

// size is the length of n's encoding. Nodes are not changed once a merged
// record is being encoded, so it is kept after the first call.
func (n *node) size() int {
	if n.sz == 0 {
		var b bytes.Buffer
		n.encode(&b)
		n.sz = b.Len()
	}
	return n.sz
}

// quote writes s as a JSON string the way encoding/json does, which is the
// form alert records are kept in.
func quote(s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}

// leaf makes a node of a value known to be valid JSON.
func leaf(raw string) *node { return &node{raw: json.RawMessage(raw)} }
