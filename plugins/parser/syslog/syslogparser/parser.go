// Package syslogparser is sa's syslog parser: StreamAlert's SyslogParser,
// plus RFC 5424, minus the schema checks the host does for every parser.
//
// A line is read first with StreamAlert's own pattern, a narrow reading of
// RFC 3164 without the <PRI> prefix:
//
//	Jan 10 19:35:13 vagrant-precise-32 sshd[13941]: login for mike
//
// (three-letter month, two-digit day, a host of word characters and dashes
// only, a pid in brackets that is dropped). It gives the keys timestamp,
// host, application and message, the keys StreamAlert's syslog schemas
// list, all strings. Lines it does not match are tried as RFC 5424:
//
//	<165>1 2003-10-11T22:14:15.003Z host.example.com evntslog - ID47 [exampleSDID@32473 iut="3"] message
//
// which gives the same four keys, so a StreamAlert syslog schema takes both
// formats, plus any of priority, facility, severity, version, procid, msgid
// (strings; declare them "integer" to have the host convert them) and
// structured_data (an object of SD-IDs holding objects of parameters) that
// the schema lists. RFC 5424's "-" for no value reads as "". One trailing
// newline is ignored; the message is the rest of the line, and a line with
// more lines after it matches neither format, as in StreamAlert.
//
// As in the other text parsers, a record that is a JSON string is read as
// the text it spells; other JSON values, invalid UTF-8 and envelope_keys
// are errors. The host does the rest: the key check, type conversion,
// log_patterns, optional key defaults and normalization.
package syslogparser

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/streamalert-go/sa/plugins/parser/internal/jsonx"
	"github.com/streamalert-go/sa/plugins/parser/internal/parsekit"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Parser is the syslog parser. It is safe for concurrent use.
type Parser = parsekit.Plugin[*config]

// New returns a syslog parser.
func New() *Parser {
	return parsekit.NewPlugin(parsekit.PluginOptions[*config]{
		Info:    saplugin.Info{Name: "syslog", Version: "0.1.0", Description: "syslog lines, as StreamAlert reads RFC 3164, and RFC 5424"},
		Compile: compile,
		Parse:   func(c *config) parsekit.Func { return c.parse },
	})
}

// extras are the RFC 5424 keys given only to schemas that list them.
var extras = []string{"priority", "facility", "severity", "version", "procid", "msgid", "structured_data"}

type config struct {
	want     map[string]bool // extras the schema lists
	envelope []string
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
	c := &config{want: map[string]bool{}}
	for _, name := range parsekit.Names(fields) {
		c.want[name] = true
	}
	if c.envelope, err = o.Keys("envelope_keys"); err != nil {
		return nil, err
	}
	return c, nil
}

// Python's \w, \s and \d match Unicode letters, digits and spaces in str
// patterns; Go's match ASCII only, so the classes are spelt out.
const (
	pyWord  = `[\p{L}\p{N}_]`
	pySpace = `[\t\n\v\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]`
	pyDigit = `\p{Nd}`
)

// rfc3164 is StreamAlert's pattern, translated: Python's "$" also matches
// before a final newline, which "\n?$" spells out in Go.
var rfc3164 = regexp.MustCompile(strings.NewReplacer(`\w`, pyWord, `\s`, pySpace, `\d`, pyDigit).Replace(
	`^(?P<timestamp>\w{3}\s\d{2}\s(?:\d{2}:?)+)\s(?P<host>(?:\w-*)+)\s(?P<application>\w+)(?:\[\w+\])*:\s(?P<message>.*)\n?$`))

func (c *config) parse(raw []byte, out *parsekit.Out) error {
	text, err := parsekit.Text(raw)
	if err != nil {
		return err
	}
	if _, err := parsekit.Envelope(nil, c.envelope); err != nil {
		return err
	}
	if m := rfc3164.FindStringSubmatch(text); m != nil {
		b := jsonx.NewBuilder(len(text) + 64)
		for i, name := range rfc3164.SubexpNames() {
			if name != "" {
				b.String(name, m[i])
			}
		}
		out.Add(b.Bytes())
		return nil
	}
	if !looks5424(text) {
		hint := ""
		if strings.HasPrefix(text, "<") {
			hint = "; StreamAlert's RFC 3164 pattern takes no <PRI> prefix"
		}
		return fmt.Errorf(`not syslog: neither "Mmm dd hh:mm:ss host app[pid]: message" (RFC 3164) nor RFC 5424%s`, hint)
	}
	m, err := parse5424(strings.TrimSuffix(text, "\n"))
	if err != nil {
		return fmt.Errorf("RFC 5424: %w", err)
	}
	out.Add(c.record(m))
	return nil
}

// record writes an RFC 5424 message with the keys the schema asks for.
func (c *config) record(m *message) []byte {
	b := jsonx.NewBuilder(len(m.msg) + 128)
	b.String("timestamp", m.timestamp)
	b.String("host", m.host)
	b.String("application", m.app)
	b.String("message", m.msg)
	for _, name := range extras {
		if !c.want[name] {
			continue
		}
		switch name {
		case "priority":
			b.String(name, fmt.Sprint(m.pri))
		case "facility":
			b.String(name, fmt.Sprint(m.pri/8))
		case "severity":
			b.String(name, fmt.Sprint(m.pri%8))
		case "version":
			b.String(name, m.version)
		case "procid":
			b.String(name, m.procid)
		case "msgid":
			b.String(name, m.msgid)
		case "structured_data":
			b.Raw(name, m.sd)
		}
	}
	return b.Bytes()
}

var _ saplugin.Parser = (*Parser)(nil)
