// Package csvparser is sa's csv parser: StreamAlert's CSVParser, minus the
// schema checks the host does for every parser.
//
// The record's text is read as Python's csv module reads it, with the
// schema's delimiter (default ","), quotechar (default `"`) and escapechar
// (default none), each one character: quoted fields may hold delimiters and
// newlines, a doubled quote is a quote, a field is at most 131,072
// characters, and a record may hold several rows. Each row is a candidate
// whose keys are the schema's keys in schema order and whose values are the
// columns, as strings; a row whose column count differs from the number of
// schema keys is rejected with both counts. A schema key whose type is an
// object is a nested CSV column: the column's text is read as CSV with the
// same dialect and its first row must fit the nested keys.
//
// The text is the raw record, except that a record that is JSON is decoded
// first, as StreamAlert does: a JSON string is read as the text it spells,
// and any other JSON value is an error unless json_path is set. With
// json_path (cloudwatch:rds_aurora's "logEvents[*].message") the record
// must be JSON, the expression selects strings, and each is read as CSV;
// envelope_keys then come from the top-level object, as in the json parser.
// Invalid UTF-8 is an error.
//
// The host does the rest, as for every parser: the key check with
// optional_top_level_keys, type conversion ("integer" columns arrive as
// strings), log_patterns, envelope checks and conversion, optional key
// defaults, and normalization.
package csvparser

import (
	"fmt"
	"unicode/utf8"

	"github.com/streamalert-go/sa/plugins/parser/internal/jpath"
	"github.com/streamalert-go/sa/plugins/parser/internal/jsonx"
	"github.com/streamalert-go/sa/plugins/parser/internal/parsekit"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Parser is the csv parser. It is safe for concurrent use.
type Parser = parsekit.Plugin[*config]

// New returns a csv parser.
func New() *Parser {
	return parsekit.NewPlugin(parsekit.PluginOptions[*config]{
		Info:    saplugin.Info{Name: "csv", Version: "0.1.0", Description: "CSV rows mapped to the schema's keys in order, read as Python's csv module reads them"},
		Compile: compile,
		Parse:   func(c *config) parsekit.Func { return c.parse },
	})
}

// config is a compiled schema and "configuration" object.
type config struct {
	fields   []parsekit.Field
	dialect  dialect
	path     *jpath.Path
	envelope []string
}

func compile(schemaJSON, options []byte) (*config, error) {
	c := &config{}
	var err error
	if c.fields, err = parsekit.ReadSchema(schemaJSON); err != nil {
		return nil, err
	}
	o, err := parsekit.ReadOptions(options)
	if err != nil {
		return nil, err
	}
	c.dialect.delimiter, err = char(o, "delimiter", ',')
	if err != nil {
		return nil, err
	}
	if c.dialect.quote, err = char(o, "quotechar", '"'); err != nil {
		return nil, err
	}
	if c.dialect.escape, err = char(o, "escapechar", noEscape); err != nil {
		return nil, err
	}
	c.dialect = c.dialect.withTables()
	if c.envelope, err = o.Keys("envelope_keys"); err != nil {
		return nil, err
	}
	expr, err := o.String("json_path")
	if err != nil {
		return nil, err
	}
	if expr != "" {
		if c.path, err = jpath.Compile(expr); err != nil {
			return nil, parsekit.Invalid("configuration: %v", err)
		}
	}
	return c, nil
}

// char reads a one-character option; Python's csv module takes no other.
func char(o parsekit.Options, name string, def rune) (rune, error) {
	if !o.Has(name) {
		return def, nil
	}
	s, err := o.String(name)
	if err != nil {
		return 0, err
	}
	if utf8.RuneCountInString(s) != 1 || s == "\n" || s == "\r" {
		return 0, parsekit.Invalid("configuration %q must be one character other than a newline, not %q", name, s)
	}
	r, _ := utf8.DecodeRuneInString(s)
	return r, nil
}

func (c *config) parse(raw []byte, out *parsekit.Out) error {
	if err := c.extract(raw, out); err != nil {
		return err
	}
	if out.Len() == 0 {
		return fmt.Errorf("no CSV rows")
	}
	return nil
}

func (c *config) extract(raw []byte, out *parsekit.Out) error {
	if c.path == nil {
		text, err := parsekit.Text(raw)
		if err != nil {
			return err
		}
		if _, err := parsekit.Envelope(nil, c.envelope); err != nil {
			return err
		}
		c.rows(text, "", out)
		return nil
	}
	doc, err := jsonx.Check(raw)
	if err != nil {
		return fmt.Errorf("json_path needs a JSON record: %w", err)
	}
	if out.Envelope, err = parsekit.Envelope(doc, c.envelope); err != nil {
		return err
	}
	values, err := c.path.Select(doc)
	if err != nil {
		return err
	}
	if len(values) == 0 {
		return fmt.Errorf("json_path %q selected nothing", c.path)
	}
	for i, v := range values {
		where := fmt.Sprintf("json_path element %d ", i+1)
		switch k := jsonx.KindOf(v); k {
		case jsonx.String:
			c.rows(jsonx.Unquote(v), where, out)
		case jsonx.Null: // Python reads None as empty text: no rows
		default:
			out.Reject(fmt.Sprintf("%sis %s, not a CSV string", where, k))
		}
	}
	return nil
}

// rows adds a candidate per row of text; where prefixes messages. A CSV
// error rejects the rest of the text, keeping the rows before it, as
// StreamAlert does.
func (c *config) rows(text, where string, out *parsekit.Out) {
	r := newReader(text, c.dialect)
	for n := 1; ; n++ {
		row, ok, err := r.next()
		if err != nil {
			out.Reject(fmt.Sprintf("%srow %d: CSV: %v", where, n, err))
			return
		}
		if !ok {
			return
		}
		rec, reason := c.record(row, c.fields)
		if reason != "" {
			out.Reject(fmt.Sprintf("%srow %d: %s", where, n, reason))
			continue
		}
		out.Add(rec)
	}
}

// record maps a row onto fields, or says why it cannot.
func (c *config) record(row []string, fields []parsekit.Field) ([]byte, string) {
	if len(row) != len(fields) {
		return nil, fmt.Sprintf("expected %d columns, got %d", len(fields), len(row))
	}
	if len(fields) == 0 {
		return nil, "the schema has no keys" // StreamAlert rejects an empty row
	}
	size := 2
	for i, f := range fields {
		size += len(f.Name) + len(row[i]) + 6
	}
	b := jsonx.NewBuilder(size)
	for i, f := range fields {
		if !f.Nested {
			b.String(f.Name, row[i])
			continue
		}
		nested, reason := c.nested(row[i], f)
		if reason != "" {
			return nil, fmt.Sprintf("column %d (%s): %s", i+1, f.Name, reason)
		}
		b.Raw(f.Name, nested)
	}
	return b.Bytes(), ""
}

// nested reads a column that is CSV itself; only its first row counts.
func (c *config) nested(text string, f parsekit.Field) ([]byte, string) {
	row, ok, err := newReader(text, c.dialect).next()
	if err != nil {
		return nil, "nested CSV: " + err.Error()
	}
	if !ok {
		return nil, "nested CSV has no rows"
	}
	return c.record(row, f.Fields)
}

var _ saplugin.Parser = (*Parser)(nil)
