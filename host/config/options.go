package config

import (
	"slices"
	"strings"
)

// Options is a schema's "configuration": every key StreamAlert's
// classifier reads (reference §1.6). Defaults for the built-in parsers
// are applied after decoding; RawConfiguration keeps what the file said.
type Options struct {
	// JSONPath is a JMESPath selecting the records inside each payload
	// (json and csv parsers), e.g. "Records[*]".
	JSONPath string
	// EmbeddedJSON means the values JSONPath selects are JSON strings to
	// decode, each of which must be an object (json parser).
	EmbeddedJSON bool
	// JSONRegexKey names a top-level key whose string value holds a JSON
	// object to extract (json parser). JSONPath takes precedence, so the
	// loader refuses both together.
	JSONRegexKey string
	// EnvelopeKeys are top-level keys of the payload copied into every
	// record under "streamalert:envelope_keys", with their types.
	EnvelopeKeys []Field
	// OptionalEnvelopeKeys may be absent from the payload (defaulted).
	OptionalEnvelopeKeys []string
	// OptionalTopLevelKeys may be absent from a record (defaulted after
	// validation).
	OptionalTopLevelKeys []string
	// LogPatterns are glob constraints on record values, in file order,
	// which matters: see LogPattern.
	LogPatterns []LogPattern
	// Priority orders schemas (0 first); nil when unset. An explicit -1
	// counts as unset, as in StreamAlert's SchemaSorter.
	Priority *int
	// Delimiter splits csv columns (default ",") or kv fields (default " ").
	Delimiter string
	// Separator splits a kv field into key and value (default "=").
	Separator string
	// QuoteChar (default `"`) and EscapeChar (default none: "") are the csv
	// quote and escape characters.
	QuoteChar  string
	EscapeChar string
	// Normalization is the v2 normalization of this log type, in file order.
	Normalization []NormalizedField
}

// optionParsers says which built-in parsers read an option; options not
// listed apply to every parser. An option set for a parser that never
// reads it is refused: StreamAlert would ignore it silently, and the
// author expected it to do something.
var optionParsers = map[string][]string{
	"json_path":      {ParserJSON, ParserCSV},
	"embedded_json":  {ParserJSON},
	"json_regex_key": {ParserJSON},
	"delimiter":      {ParserCSV, ParserKV},
	"separator":      {ParserKV},
	"quotechar":      {ParserCSV},
	"escapechar":     {ParserCSV},
}

func (o *Options) applyDefaults(parser string) {
	def := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	switch parser {
	case ParserCSV:
		def(&o.Delimiter, ",")
		def(&o.QuoteChar, `"`)
	case ParserKV:
		def(&o.Delimiter, " ")
		def(&o.Separator, "=")
	}
}

// optionsDecoder decodes one schema's configuration and remembers each
// option's node so later checks can point at it.
type optionsDecoder struct {
	f     *file
	s     *Schema
	p     jpath // path of the configuration object
	nodes map[string]*node
}

func (d *optionsDecoder) decode(n *node) {
	f, o := d.f, &d.s.Options
	fs := fields{
		"json_path":               f.toStr(&o.JSONPath),
		"embedded_json":           f.toBool(&o.EmbeddedJSON),
		"json_regex_key":          f.toStr(&o.JSONRegexKey),
		"envelope_keys":           func(n *node, p jpath) { o.EnvelopeKeys = f.parseFields(n, p) },
		"optional_envelope_keys":  f.toStrs(&o.OptionalEnvelopeKeys),
		"optional_top_level_keys": f.toStrs(&o.OptionalTopLevelKeys),
		"log_patterns":            func(*node, jpath) {}, // decoded by check, which knows the envelope keys
		"priority":                d.priority,
		"delimiter":               f.toStr(&o.Delimiter),
		"separator":               f.toStr(&o.Separator),
		"quotechar":               f.toStr(&o.QuoteChar),
		"escapechar":              f.toStr(&o.EscapeChar),
		"normalization":           func(*node, jpath) {}, // likewise
	}
	for key, fn := range fs {
		fs[key] = func(n *node, p jpath) {
			d.nodes[key] = n
			if ps, ok := optionParsers[key]; ok && d.s.Builtin() && !slices.Contains(ps, d.s.Parser) {
				readers := "the " + strings.Join(ps, " and ") + " parser"
				if len(ps) > 1 {
					readers += "s"
				}
				f.errorf(n, p, "%s does not apply to the %s parser; it is read by %s only", key, d.s.Parser, readers)
				return
			}
			fn(n, p)
		}
	}
	// A parser plugin may take options of its own: it receives
	// RawConfiguration and validates it itself, so keys unknown to
	// StreamAlert are errors only for the built-in parsers.
	other := func(m member, p jpath) { f.unknownKey(m, p, fs) }
	if !d.s.Builtin() {
		other = nil
	}
	f.objectWith(n, d.p, fs, other)
}

// priority decodes an integer priority. StreamAlert calls int() on it, so
// "3" and 2.5 also work there; sa wants a JSON integer, which every
// shipped schema uses, rather than guess.
func (d *optionsDecoder) priority(n *node, p jpath) {
	var v int
	if d.f.integer(n, p, &v) {
		d.s.Options.Priority = &v
	}
}
