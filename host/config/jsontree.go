package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// kind is the JSON type of a node.
type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

func (k kind) String() string {
	return [...]string{"null", "boolean", "number", "string", "array", "object"}[k]
}

// node is one JSON value with the byte offsets it came from. The loader
// decodes config files into nodes rather than straight into structs because
// encoding/json forgets key order (csv and kv schemas depend on it), stops
// at the first error, and cannot say where a value was.
type node struct {
	kind    kind
	start   int    // offset of the value's first byte
	end     int    // offset just past its last byte
	text    string // a string's value or a number's literal
	boolean bool
	elems   []*node
	members []member
}

// member is one key of an object, in file order.
type member struct {
	key    string
	keyOff int
	val    *node
}

// duplicate is a key that occurs twice in one object. Python's json module
// keeps the last value silently; sa reports it.
type duplicate struct {
	off  int
	path jpath
}

// segment is one step of the path to the value being read: an object key,
// or an array index when key is nil.
type segment struct {
	key   *string
	index int
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack; no
// real StreamAlert config nests more than a handful of levels.
const maxDepth = 1000

// parseTree parses one JSON document into nodes. On a syntax error it
// returns the byte offset of the error and the error.
//
// encoding/json's validating scanner runs first: it is the reference for
// what is JSON and reports the exact offset of a mistake. The tree is then
// built by a small reader that may assume valid input, which keeps every
// byte offset and key order, notices duplicate keys, and is several times
// faster than json.Decoder's token API.
func parseTree(data []byte) (*node, []duplicate, int, error) {
	if json.Valid(data) {
		t := &tree{data: data}
		n, err := t.value(0)
		if err != nil {
			return nil, nil, t.pos, err
		}
		return n, t.dups, 0, nil
	}
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, nil, max(int(se.Offset)-1, 0), err
		}
		return nil, nil, 0, err
	}
	return nil, nil, 0, errors.New("invalid JSON") // unreachable: Valid and Unmarshal agree
}

// tree reads a document already known to be valid JSON.
type tree struct {
	data []byte
	pos  int
	dups []duplicate
	path []segment // formatted only when a duplicate is found
}

func (t *tree) jpath() jpath {
	var p jpath
	for _, s := range t.path {
		if s.key != nil {
			p = p.key(*s.key)
		} else {
			p = p.index(s.index)
		}
	}
	return p
}

func (t *tree) skipSpace() {
	for t.pos < len(t.data) && strings.IndexByte(" \t\r\n", t.data[t.pos]) >= 0 {
		t.pos++
	}
}

func (t *tree) value(depth int) (*node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nesting deeper than %d levels", maxDepth)
	}
	t.skipSpace()
	n := &node{start: t.pos}
	var err error
	switch c := t.data[t.pos]; c {
	case '{':
		err = t.object(n, depth)
	case '[':
		err = t.array(n, depth)
	case '"':
		n.kind, n.text = kindString, t.str()
	case 't':
		n.kind, n.boolean = kindBool, true
		t.pos += len("true")
	case 'f':
		n.kind = kindBool
		t.pos += len("false")
	case 'n':
		n.kind = kindNull
		t.pos += len("null")
	default:
		n.kind = kindNumber
		for t.pos < len(t.data) && strings.IndexByte("+-0123456789.eE", t.data[t.pos]) >= 0 {
			t.pos++
		}
		n.text = string(t.data[n.start:t.pos])
	}
	n.end = t.pos
	return n, err
}

func (t *tree) object(n *node, depth int) error {
	n.kind = kindObject
	seen := map[string]bool{}
	t.pos++ // {
	for t.skipSpace(); t.data[t.pos] != '}'; t.skipSpace() {
		if t.data[t.pos] == ',' {
			t.pos++
			t.skipSpace()
		}
		off := t.pos
		key := t.str()
		t.path = append(t.path, segment{key: &key})
		if seen[key] {
			t.dups = append(t.dups, duplicate{off: off, path: t.jpath()})
		}
		seen[key] = true
		t.skipSpace()
		t.pos++ // :
		val, err := t.value(depth + 1)
		t.path = t.path[:len(t.path)-1]
		if err != nil {
			return err
		}
		n.members = append(n.members, member{key: key, keyOff: off, val: val})
	}
	t.pos++ // }
	return nil
}

func (t *tree) array(n *node, depth int) error {
	n.kind = kindArray
	t.pos++ // [
	for t.skipSpace(); t.data[t.pos] != ']'; t.skipSpace() {
		if t.data[t.pos] == ',' {
			t.pos++
		}
		t.path = append(t.path, segment{index: len(n.elems)})
		val, err := t.value(depth + 1)
		t.path = t.path[:len(t.path)-1]
		if err != nil {
			return err
		}
		n.elems = append(n.elems, val)
	}
	t.pos++ // ]
	return nil
}

// str reads a string literal. Literals without escapes, the usual case,
// are taken as they are; the others are decoded by encoding/json so
// escapes, surrogate pairs and invalid UTF-8 come out exactly as it does.
func (t *tree) str() string {
	start := t.pos
	t.pos++ // opening quote
	escaped := false
	for t.data[t.pos] != '"' {
		if t.data[t.pos] == '\\' {
			escaped = true
			t.pos++
		}
		t.pos++
	}
	t.pos++ // closing quote
	lit := t.data[start:t.pos]
	if !escaped && utf8.Valid(lit) {
		return string(lit[1 : len(lit)-1])
	}
	var s string
	_ = json.Unmarshal(lit, &s) // valid: the whole document passed the scanner
	return s
}

// raw returns the node's bytes exactly as they appear in the file, so key
// order and formatting reach parser plugins unchanged.
func (t *node) raw(data []byte) json.RawMessage {
	out := make(json.RawMessage, t.end-t.start)
	copy(out, data[t.start:t.end])
	return out
}
