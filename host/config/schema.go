package config

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
)

// LogType names a schema: "family:subtype" ("cloudtrail:events") or a bare
// family ("binaryalert"). Records carry it as their log_schema_type.
type LogType string

// Family is the part before the first ':', the unit data_sources lists
// ("cloudtrail").
func (t LogType) Family() string {
	family, _, _ := strings.Cut(string(t), ":")
	return family
}

// Subtype is the part after the last ':' ("events"), or "" for a bare
// family, as StreamAlert's PayloadRecord.log_subtype.
func (t LogType) Subtype() string {
	i := strings.LastIndexByte(string(t), ':')
	if i < 0 {
		return ""
	}
	return string(t[i+1:])
}

// The parsers StreamAlert ships. Any other parser name means the installed
// parser plugin of that name (parser.<name>).
const (
	ParserJSON   = "json"
	ParserCSV    = "csv"
	ParserKV     = "kv"
	ParserSyslog = "syslog"
)

// builtinParsers are the parser names whose options sa knows and checks.
var builtinParsers = map[string]bool{ParserJSON: true, ParserCSV: true, ParserKV: true, ParserSyslog: true}

// parserNameRE matches plugin names as the plugin host accepts them.
var parserNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// Schema is one log type of a schema file: {"parser", "schema",
// "configuration"}.
type Schema struct {
	Name    LogType
	File    string // the file that defined it, e.g. "schemas/cloudtrail.json"
	Parser  string // json, csv, kv, syslog, or a parser plugin's name
	Fields  []Field
	Options Options
	// RawSchema and RawConfiguration are the "schema" and "configuration"
	// values byte for byte as in the file, key order kept, for parser
	// plugins, which receive them verbatim. RawConfiguration is nil when
	// the file has no "configuration".
	RawSchema        json.RawMessage
	RawConfiguration json.RawMessage

	at int // offset of the name in File, for problems found later
}

// Builtin reports whether the schema uses one of StreamAlert's parsers
// rather than a plugin.
func (s *Schema) Builtin() bool { return builtinParsers[s.Parser] }

// decodeSchemaFile decodes a file holding an object of log type name to
// schema, as schemas/*.json and the older logs.json do.
func (f *file) decodeSchemaFile() []*Schema {
	if f.root == nil || !f.want(f.root, "", kindObject) {
		return nil
	}
	var out []*Schema
	for _, m := range f.root.members {
		if s := f.decodeSchema(LogType(m.key), m); s != nil {
			out = append(out, s)
		}
	}
	return out
}

// decodeSchema decodes one entry. The configuration is decoded last, with
// the parser and fields known, because which options apply and which keys
// they may name depend on both, and files put "configuration" anywhere.
func (f *file) decodeSchema(name LogType, m member) *Schema {
	p := jpath("").key(m.key)
	s := &Schema{Name: name, File: f.name, at: m.keyOff}
	if name.Family() == "" || strings.HasSuffix(string(name), ":") {
		f.report(SeverityError, m.keyOff, p, "log type names are family or family:subtype, both non-empty")
	}
	var cfg, fieldsNode *node
	ok := f.object(m.val, p, fields{
		"parser": func(n *node, p jpath) {
			f.toStr(&s.Parser)(n, p)
			if n.kind == kindString && !parserNameRE.MatchString(s.Parser) {
				f.errorf(n, p, "parser %q is not a parser name (json, csv, kv, syslog, or an installed parser plugin's name: lowercase letters, digits, '-', '_')", s.Parser)
			}
		},
		"schema": func(n *node, p jpath) {
			fieldsNode = n
			s.Fields = f.parseFields(n, p)
			s.RawSchema = n.raw(f.data)
		},
		"configuration": func(n *node, p jpath) { cfg = n },
	})
	if !ok {
		return nil
	}
	// StreamAlert's own load-time check: both keys are required.
	f.require(m.val, p, "parser", "schema")
	if cfg != nil {
		s.RawConfiguration = cfg.raw(f.data)
		d := &optionsDecoder{f: f, s: s, p: p.key("configuration"), nodes: map[string]*node{}}
		d.decode(cfg)
		// Checks against the fields would only repeat a broken "schema".
		if fieldsNode != nil && fieldsNode.kind == kindObject {
			d.check()
		}
	}
	s.Options.applyDefaults(s.Parser)
	if s.Parser == ParserSyslog && fieldsNode != nil {
		f.checkSyslog(fieldsNode, p.key("schema"), s)
	}
	return s
}

// syslogFields are the keys StreamAlert's syslog regex produces; its
// schemas must list exactly these or no record can ever pass.
var syslogFields = []string{"application", "host", "message", "timestamp"}

func (f *file) checkSyslog(n *node, p jpath, s *Schema) {
	names := make([]string, 0, len(s.Fields))
	for _, fl := range s.Fields {
		names = append(names, fl.Name)
	}
	if slices.Sort(names); !slices.Equal(names, syslogFields) {
		f.errorf(n, p, "a syslog schema must have exactly the keys %s, the fields the syslog parser produces",
			strings.Join(syslogFields, ", "))
	}
}
