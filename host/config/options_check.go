package config

import "unicode/utf8"

// check decodes the options that depend on others (log_patterns may match
// the envelope, so it needs envelope_keys whatever the key order) and
// checks combinations StreamAlert accepts but that cannot work.
func (d *optionsDecoder) check() {
	f, s, o := d.f, d.s, &d.s.Options
	if n := d.nodes["log_patterns"]; n != nil {
		o.LogPatterns = f.logPatterns(s, n, d.p.key("log_patterns"), nil, true)
	}
	if n := d.nodes["normalization"]; n != nil {
		o.Normalization = f.normalization(s, n, d.p.key("normalization"))
	}
	if n := d.nodes["embedded_json"]; n != nil && o.EmbeddedJSON && o.JSONPath == "" {
		f.errorf(n, d.p.key("embedded_json"), "embedded_json needs json_path: it decodes the values json_path selects")
	}
	if n := d.nodes["json_regex_key"]; n != nil && o.JSONPath != "" {
		f.errorf(n, d.p.key("json_regex_key"), "json_regex_key is ignored when json_path is set; keep one")
	}
	for _, key := range []string{"json_path", "json_regex_key"} {
		if n := d.nodes[key]; n != nil && n.kind == kindString && n.text == "" {
			f.errorf(n, d.p.key(key), "empty %s", key)
		}
	}
	d.checkChars()
	// StreamAlert's _validate_schema: optional keys must be keys of the
	// schema (or of envelope_keys), else the schema never matches.
	d.checkSubset("optional_top_level_keys", s.Fields, "schema")
	d.checkSubset("optional_envelope_keys", o.EnvelopeKeys, "envelope_keys")
}

// checkChars checks the separators of the csv and kv parsers. Python's
// csv module wants exactly one character for each; str.split refuses an
// empty separator.
func (d *optionsDecoder) checkChars() {
	switch d.s.Parser {
	case ParserCSV:
		for key, v := range map[string]string{"delimiter": d.s.Options.Delimiter,
			"quotechar": d.s.Options.QuoteChar, "escapechar": d.s.Options.EscapeChar} {
			if n := d.nodes[key]; n != nil && n.kind == kindString && utf8.RuneCountInString(v) != 1 {
				d.f.errorf(n, d.p.key(key), "the csv parser's %s must be exactly one character, got %q", key, v)
			}
		}
	case ParserKV:
		for key, v := range map[string]string{"delimiter": d.s.Options.Delimiter, "separator": d.s.Options.Separator} {
			if n := d.nodes[key]; n != nil && n.kind == kindString && v == "" {
				d.f.errorf(n, d.p.key(key), "the kv parser's %s must not be empty", key)
			}
		}
	}
}

// checkSubset reports each key listed by the option called key that is
// not a field of fs.
func (d *optionsDecoder) checkSubset(key string, fs []Field, of string) {
	n := d.nodes[key]
	if n == nil || n.kind != kindArray {
		return
	}
	for i, e := range n.elems {
		if _, ok := field(fs, e.text); e.kind == kindString && !ok {
			d.f.errorf(e, d.p.key(key).index(i), "%q is not a key of %s; StreamAlert treats the whole schema as unusable", e.text, of)
		}
	}
}
