package classify

import (
	"bytes"
	"fmt"
	"regexp"

	"github.com/streamalert-go/sa/host/classify/rawjson"
	"github.com/streamalert-go/sa/host/config"
)

// prefilter turns away, before any parser call, raw records that a schema
// of the built-in json parser is certain to reject, judging by the keys at
// the top level of the document alone.
//
// A source lists log families, and a family can have dozens of schemas
// (carbonblack has 35), each of which StreamAlert tries in turn. Most
// reject a record at once on its top-level keys: the json parser hands the
// document itself to a schema without json_path, whose keys must then equal
// the schema's; json_path "Records[*]" needs a top-level "Records", and
// envelope keys must be at the top level. Asking the parser first would
// cost a parse of every record per schema and, through a plugin, a round
// trip; reading the document's keys once per record costs one scan.
//
// The prefilter only decides when it can be sure: the document is a valid
// JSON object (else the parser is asked, and says why it is not), and the
// schema uses the json parser StreamAlert defines (a plugin of another name
// may do anything). A record turned away fails that schema with the same
// outcome the parser and key check would give.
type prefilter struct {
	on    bool
	exact bool      // the parser hands on the document itself
	need  []needKey // top-level keys the document must have
	keys  *fieldSet // the schema's top level, for exact
}

type needKey struct {
	name string
	msg  string // why the schema rejects a document without the key
}

// simplePath matches the JMESPath expressions made only of field names,
// [*] and [n]: they select nothing unless the document has their first
// field. Anything else (pipes, "||", functions) might select something
// from a document without it.
var simplePath = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)(\.[A-Za-z_][A-Za-z0-9_]*|\[\*\]|\[-?[0-9]+\])*$`)

func newPrefilter(s *schema) prefilter {
	if s.parser != config.ParserJSON {
		return prefilter{}
	}
	o := &s.raw.Options
	p := prefilter{keys: s.fields}
	if s.envelope != nil {
		for i, f := range s.envelope.fields {
			if !s.envelope.optional[i] {
				p.need = append(p.need, needKey{f.Name, fmt.Sprintf("envelope key %q is missing", f.Name)})
			}
		}
	}
	switch m := simplePath.FindStringSubmatch(o.JSONPath); {
	case o.JSONPath == "" && o.JSONRegexKey == "":
		p.exact = len(s.fields.fields) > 0 // a schema without keys takes any object
	case m != nil:
		p.need = append(p.need, needKey{m[1], fmt.Sprintf("json_path %q selects nothing: no top-level key %q", o.JSONPath, m[1])})
	case o.JSONPath == "":
		p.need = append(p.need, needKey{o.JSONRegexKey, fmt.Sprintf("json_regex_key %q is missing", o.JSONRegexKey)})
	}
	p.on = p.exact || len(p.need) > 0
	return p
}

// docKeys are the distinct top-level keys of a raw record, read once per
// record and kept for every schema.
type docKeys struct {
	read  bool
	valid bool // the record is a JSON object
	names []string
	set   map[string]bool // names, when there are many
}

// manyKeys is where a map beats scanning the names.
const manyKeys = 16

var bom = []byte("\xef\xbb\xbf")

// load reads the keys of raw, using scratch for the split.
func (d *docKeys) load(raw []byte, scratch *[]rawjson.Member) {
	d.read = true
	members, _, err := rawjson.SplitObject((*scratch)[:0], bytes.TrimPrefix(raw, bom), rawjson.DefaultMaxDepth)
	*scratch = members
	if err != nil {
		return
	}
	d.valid = true
	if len(members) > manyKeys {
		d.set = make(map[string]bool, len(members))
	}
	for _, m := range members {
		if name := m.Name(); !d.has(name) {
			d.names = append(d.names, name)
			if d.set != nil {
				d.set[name] = true
			}
		}
	}
}

func (d *docKeys) has(name string) bool {
	if d.set != nil {
		return d.set[name]
	}
	for _, n := range d.names {
		if n == name {
			return true
		}
	}
	return false
}

// rejects reports whether the schema would reject the document.
func (p *prefilter) rejects(d *docKeys) bool {
	return p.reason(d, false) != ""
}

// reason says why the schema rejects the document, or returns "". With
// explain false it returns any non-empty string instead of a message, to
// spare building messages for records that go on to classify.
func (p *prefilter) reason(d *docKeys, explain bool) string {
	if !p.on || !d.valid {
		return ""
	}
	for _, n := range p.need {
		if !d.has(n.name) {
			if !explain {
				return "x"
			}
			return n.msg
		}
	}
	if !p.exact {
		return ""
	}
	if !explain {
		if !p.keys.exactNames(d.names) {
			return "x"
		}
		return ""
	}
	return p.keys.mismatch(d.names)
}
