// Package jsonparser is sa's json parser: StreamAlert's JSONParser, minus
// the schema checks the host does for every parser.
//
// What it does with each raw record, in StreamAlert's order:
//
//  1. Checks that the record is one JSON value in valid UTF-8, nested at
//     most 512 deep (see jsonx.Check); anything else is a per-record error
//     with the line and column. A leading UTF-8 byte order mark is skipped.
//     NaN and Infinity, which Python's json accepts, are errors.
//  2. envelope_keys: takes the values of those keys from the top-level
//     object, as they are, into Candidate.Envelope; a record that is not an
//     object cannot have an envelope and is an error.
//  3. Extracts the records. With json_path (a JMESPath expression, see
//     package jpath) each element of the result is a record, and a result
//     Python would find false (null, [], {}, "", 0) is an error; with
//     embedded_json as well, each element must be a string holding a JSON
//     object, which is the record. Else, with json_regex_key, the value of
//     that top-level key must be a string in which StreamAlert's regular
//     expression finds a JSON object, which is the record. Else the record
//     is the document itself, which must be an object: a top-level array is
//     not split (StreamAlert does not either; json_path "[*]" does).
//     Extracted elements that are not objects are rejected one by one, as
//     empty candidates, and the others go on.
//
// Records are handed on as the input's own bytes, so numbers keep every
// digit. Everything else StreamAlert's parser did is the host's: the exact
// key check against the schema with optional_top_level_keys, the envelope
// subset check with optional_envelope_keys, type conversion of record and
// envelope, log_patterns, optional key defaults, attaching the envelope
// under "streamalert:envelope_keys", and normalization. embedded_json without
// json_path has no effect, as in StreamAlert.
package jsonparser

import (
	"fmt"
	"regexp"

	"github.com/streamalert-go/sa/plugins/parser/internal/jpath"
	"github.com/streamalert-go/sa/plugins/parser/internal/jsonx"
	"github.com/streamalert-go/sa/plugins/parser/internal/parsekit"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Parser is the json parser. It is safe for concurrent use.
type Parser = parsekit.Plugin[*config]

// New returns a json parser.
func New() *Parser {
	return parsekit.NewPlugin(parsekit.PluginOptions[*config]{
		Info:    saplugin.Info{Name: "json", Version: "0.1.0", Description: "JSON records, with StreamAlert's json_path, embedded_json, json_regex_key and envelope_keys"},
		Compile: compile,
		Parse:   func(c *config) parsekit.Func { return c.parse },
		// What this parser extracts does not depend on the schema.
		SchemaBlind: true,
	})
}

// config is a compiled "configuration" object.
type config struct {
	envelope []string
	path     *jpath.Path
	embedded bool
	regexKey string
}

func compile(_, options []byte) (*config, error) {
	o, err := parsekit.ReadOptions(options)
	if err != nil {
		return nil, err
	}
	c := &config{}
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
	if c.embedded, err = o.Bool("embedded_json"); err != nil {
		return nil, err
	}
	if c.regexKey, err = o.String("json_regex_key"); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *config) parse(raw []byte, out *parsekit.Out) error {
	doc, err := jsonx.Check(raw)
	if err != nil {
		return err
	}
	if out.Envelope, err = parsekit.Envelope(doc, c.envelope); err != nil {
		return err
	}
	switch {
	case c.path != nil:
		return c.extract(doc, out)
	case c.regexKey != "":
		return c.regex(doc, out)
	}
	switch k := jsonx.KindOf(doc); k {
	case jsonx.Object:
		out.Add(doc)
		return nil
	case jsonx.Array:
		return fmt.Errorf(`record is an array, not an object (json_path "[*]" would split it)`)
	default:
		return fmt.Errorf("record is %s, not an object", k)
	}
}

// extract applies json_path.
func (c *config) extract(doc []byte, out *parsekit.Out) error {
	values, err := c.path.Select(doc)
	if err != nil {
		return err
	}
	if len(values) == 0 {
		return fmt.Errorf("json_path %q selected nothing", c.path)
	}
	for i, v := range values {
		if c.embedded {
			embedded(i+1, v, out)
			continue
		}
		if k := jsonx.KindOf(v); k != jsonx.Object {
			out.Reject(fmt.Sprintf("json_path element %d is %s, not an object", i+1, k))
			continue
		}
		out.Add(v)
	}
	return nil
}

// embedded decodes the n-th json_path element as a string holding a JSON
// object (CloudWatch Logs messages).
func embedded(n int, v []byte, out *parsekit.Out) {
	if k := jsonx.KindOf(v); k != jsonx.String {
		out.Reject(fmt.Sprintf("json_path element %d is %s, not a string of embedded JSON", n, k))
		return
	}
	rec, err := jsonx.Check([]byte(jsonx.Unquote(v)))
	if err != nil {
		out.Reject(fmt.Sprintf("json_path element %d: embedded JSON: %v", n, err))
		return
	}
	if k := jsonx.KindOf(rec); k != jsonx.Object {
		out.Reject(fmt.Sprintf("json_path element %d: embedded JSON is %s, not an object", n, k))
		return
	}
	out.Add(rec)
}

// blob is StreamAlert's expression for a JSON object or array inside a
// string. Go's leftmost-first matching picks the same match as Python's
// backtracking one; "." stops at newlines in both.
var blob = regexp.MustCompile(`\{.+[:,].+\}|\[.+[,:].+\]`)

// regex applies json_regex_key.
func (c *config) regex(doc []byte, out *parsekit.Out) error {
	if k := jsonx.KindOf(doc); k != jsonx.Object {
		return fmt.Errorf("json_regex_key needs the record to be a JSON object; it is %s", k)
	}
	v, ok := jsonx.Get(doc, c.regexKey)
	if !ok || !jsonx.Truthy(v) {
		return fmt.Errorf("json_regex_key %q: key missing or empty", c.regexKey)
	}
	// Python would search str(value): for anything but a string that is a
	// repr, which is not JSON.
	if k := jsonx.KindOf(v); k != jsonx.String {
		return fmt.Errorf("json_regex_key %q is %s, not a string", c.regexKey, k)
	}
	s := jsonx.Unquote(v)
	m := blob.FindStringIndex(s)
	if m == nil {
		return fmt.Errorf("json_regex_key %q: no JSON object in the value", c.regexKey)
	}
	rec, err := jsonx.Check([]byte(s[m[0]:m[1]]))
	if err != nil {
		return fmt.Errorf("json_regex_key %q: %w", c.regexKey, err)
	}
	if k := jsonx.KindOf(rec); k != jsonx.Object {
		return fmt.Errorf("json_regex_key %q: found %s, not an object", c.regexKey, k)
	}
	out.Add(rec)
	return nil
}

var _ saplugin.Parser = (*Parser)(nil)
