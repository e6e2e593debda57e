// Package kvparser is sa's kv parser: StreamAlert's KVParser, minus the
// schema checks the host does for every parser.
//
// A record's text is split on the schema's delimiter (default " "), empty
// pieces dropped; there must be exactly as many pieces as schema keys, else
// the record is an error naming both counts. Each piece is split at the
// first separator (default "="): the key is the text before it, as written
// in the record, and the value the text after it, a string. A piece without
// the separator is skipped. A key seen twice is stored under the schema key
// at the piece's position instead, which is how StreamAlert tells
// duplicates apart. The candidate is one object with those keys in record
// order; a record with no piece holding the separator is an error.
//
// The text is the raw record, or, when the record is a JSON string, the
// text it spells (StreamAlert decodes JSON first); any other JSON value and
// invalid UTF-8 are errors, and so is envelope_keys, which needs a JSON
// object. The host does the rest, as for every parser: the exact key check
// (keys come from the record, so a misspelt key fails there) with
// optional_top_level_keys, type conversion, log_patterns, optional key
// defaults and normalization.
package kvparser

import (
	"fmt"
	"strings"

	"github.com/streamalert-go/sa/plugins/parser/internal/jsonx"
	"github.com/streamalert-go/sa/plugins/parser/internal/parsekit"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Parser is the kv parser. It is safe for concurrent use.
type Parser = parsekit.Plugin[*config]

// New returns a kv parser.
func New() *Parser {
	return parsekit.NewPlugin(parsekit.PluginOptions[*config]{
		Info:    saplugin.Info{Name: "kv", Version: "0.1.0", Description: "key=value records, with StreamAlert's delimiter and separator"},
		Compile: compile,
		Parse:   func(c *config) parsekit.Func { return c.parse },
	})
}

type config struct {
	keys                 []string // the schema's keys, in order
	delimiter, separator string
	envelope             []string
}

func compile(schemaJSON, options []byte) (*config, error) {
	fields, err := parsekit.ReadSchema(schemaJSON)
	if err != nil {
		return nil, err
	}
	o, err := parsekit.ReadOptions(options)
	if err != nil {
		return nil, err
	}
	c := &config{keys: parsekit.Names(fields)}
	if c.delimiter, err = nonEmpty(o, "delimiter", " "); err != nil {
		return nil, err
	}
	if c.separator, err = nonEmpty(o, "separator", "="); err != nil {
		return nil, err
	}
	if c.envelope, err = o.Keys("envelope_keys"); err != nil {
		return nil, err
	}
	return c, nil
}

// nonEmpty reads a string option; Python's str.split refuses "".
func nonEmpty(o parsekit.Options, name, def string) (string, error) {
	if !o.Has(name) {
		return def, nil
	}
	s, err := o.String(name)
	if err == nil && s == "" {
		err = parsekit.Invalid("configuration %q must not be empty", name)
	}
	return s, err
}

func (c *config) parse(raw []byte, out *parsekit.Out) error {
	text, err := parsekit.Text(raw)
	if err != nil {
		return err
	}
	if _, err := parsekit.Envelope(nil, c.envelope); err != nil {
		return err
	}
	// Pieces past the schema's count are only counted, so a huge record of
	// delimiters costs no memory.
	pieces := make([]string, 0, len(c.keys))
	n := 0
	for p := range strings.SplitSeq(text, c.delimiter) {
		if p == "" {
			continue
		}
		if n++; n <= len(c.keys) {
			pieces = append(pieces, p)
		}
	}
	if n != len(c.keys) {
		return fmt.Errorf("expected %d fields separated by %q, got %d", len(c.keys), c.delimiter, n)
	}
	var pairs ordered
	for i, p := range pieces {
		k, v, ok := strings.Cut(p, c.separator)
		if !ok {
			continue // StreamAlert logs and skips it; the host's key check will miss the key
		}
		if pairs.has(k) {
			k = c.keys[i]
		}
		pairs.set(k, v)
	}
	if len(pairs.keys) == 0 {
		return fmt.Errorf("no field holds the separator %q", c.separator)
	}
	b := jsonx.NewBuilder(len(text) + 8*len(pairs.keys))
	for i, k := range pairs.keys {
		b.String(k, pairs.values[i])
	}
	out.Add(b.Bytes())
	return nil
}

// ordered is a small insertion-ordered map, as Python's dict is.
type ordered struct {
	keys, values []string
}

func (m *ordered) index(k string) int {
	for i, have := range m.keys {
		if have == k {
			return i
		}
	}
	return -1
}

func (m *ordered) has(k string) bool { return m.index(k) >= 0 }

func (m *ordered) set(k, v string) {
	if i := m.index(k); i >= 0 {
		m.values[i] = v
		return
	}
	m.keys = append(m.keys, k)
	m.values = append(m.values, v)
}

var _ saplugin.Parser = (*Parser)(nil)
