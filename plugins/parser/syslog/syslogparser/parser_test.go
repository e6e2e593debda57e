package syslogparser

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/streamalert-go/sa/plugins/parser/internal/parsertest"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

const streamalertSchema = `{"timestamp": "string", "host": "string", "application": "string", "message": "string"}`

// TestStreamAlertPattern holds the RFC 3164 reading to what StreamAlert's
// regular expression gives in CPython 3.11 (re.search(...).groupdict()).
func TestStreamAlertPattern(t *testing.T) {
	tests := []struct {
		line string
		want map[string]string // nil: no match
	}{
		{"Jan 10 19:35:33 vagrant-ubuntu-trusty-64 sudo: session opened for root",
			map[string]string{"timestamp": "Jan 10 19:35:33", "host": "vagrant-ubuntu-trusty-64", "application": "sudo", "message": "session opened for root"}},
		{"Jan 10 19:35:13 vagrant-ubuntu-precise-32 ssh[13941]: login for mike",
			map[string]string{"timestamp": "Jan 10 19:35:13", "host": "vagrant-ubuntu-precise-32", "application": "ssh", "message": "login for mike"}},
		{"Jan  5 19:35:13 host app: single-digit day", nil},
		{"Jan 10 19:35:13 host.example.com app: dotted host", nil},
		{"<34>Oct 11 22:14:15 mymachine su: 'su root' failed", nil},
		{"Jan 10 19:35:13 host app: trailing newline\n",
			map[string]string{"timestamp": "Jan 10 19:35:13", "host": "host", "application": "app", "message": "trailing newline"}},
		{"Jan 10 19:35:13 host app: two\nlines", nil},
		{"Янв 10 19:35:13 хост приложение: unicode",
			map[string]string{"timestamp": "Янв 10 19:35:13", "host": "хост", "application": "приложение", "message": "unicode"}},
		{"Jan 10 19:35:13 host app[12][x]: brackets",
			map[string]string{"timestamp": "Jan 10 19:35:13", "host": "host", "application": "app", "message": "brackets"}},
		{"Jan 10 19:35 host app:  spaces  ",
			map[string]string{"timestamp": "Jan 10 19:35", "host": "host", "application": "app", "message": " spaces  "}},
		{"Jan 10 19:35:13 host app:", nil},
		{"Jan 10 19:35:13\u3000host app: ideographic space",
			map[string]string{"timestamp": "Jan 10 19:35:13", "host": "host", "application": "app", "message": "ideographic space"}},
		{"Jan 10 19:35:13 host-- app[pid]: m",
			map[string]string{"timestamp": "Jan 10 19:35:13", "host": "host--", "application": "app", "message": "m"}},
		{"Jan 10 1935 host app: no colon in time",
			map[string]string{"timestamp": "Jan 10 1935", "host": "host", "application": "app", "message": "no colon in time"}},
	}
	p := New()
	for _, tt := range tests {
		res, err := p.Parse(context.Background(), saplugin.ParseRequest{Schema: []byte(streamalertSchema), Records: [][]byte{[]byte(tt.line)}})
		if err != nil {
			t.Fatal(err)
		}
		r := res[0]
		if tt.want == nil {
			if r.Err == "" {
				t.Errorf("%q: parsed as %s, want no match", tt.line, r.Candidates[0].Record)
			}
			continue
		}
		if r.Err != "" {
			t.Errorf("%q: %s", tt.line, r.Err)
			continue
		}
		var got map[string]string
		if err := json.Unmarshal(r.Candidates[0].Record, &got); err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q = %s, want %v", tt.line, r.Candidates[0].Record, tt.want)
		}
	}
}

// TestParse holds the parser to testdata/parse.golden; rewrite it with
// -update after checking the change.
func TestParse(t *testing.T) {
	full := `{"timestamp": "string", "host": "string", "application": "string", "message": "string", "priority": "integer",
		"facility": "integer", "severity": "integer", "version": "integer", "procid": "string", "msgid": "string", "structured_data": {}}`
	sa := streamalertSchema
	cases := []parsertest.Case{
		{"3164", sa, `{}`, "Jan 10 19:35:13 vagrant-ubuntu-precise-32 ssh[13941]: login for mike"},
		{"3164 extras not given", full, `{}`, "Jan 10 19:35:13 host ssh[13941]: login"},
		{"3164 as a JSON string", sa, `{}`, `"Jan 10 19:35:13 host sudo: x"`},
		{"5424 full", full, `{}`, `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"] ` + "\ufeffAn application event log entry"},
		{"5424 for a StreamAlert schema", sa, `{}`, `<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed for lonvick on /dev/pts/8`},
		{"5424 nil values", full, `{}`, "<0>1 - - - - - -"},
		{"5424 escapes", full, `{}`, `<13>1 2026-11-23T01:02:03+01:00 h a 42 m [x@1 q="a\"b\\c\]d\e"] msg` + "\n"},
		{"5424 bad priority", sa, `{}`, "<192>1 - - - - - -"},
		{"5424 bad timestamp", sa, `{}`, "<13>1 yesterday h a - - - msg"},
		{"5424 short header", sa, `{}`, "<13>1 - h a"},
		{"5424 bad structured data", sa, `{}`, `<13>1 - h a - - [x@1 q=3] msg`},
		{"5424 unclosed value", sa, `{}`, `<13>1 - h a - - [x@1 q="3] msg`},
		{"5424 no space before message", sa, `{}`, `<13>1 - h a - - -msg`},
		{"PRI before 3164", sa, `{}`, "<34>Oct 11 22:14:15 mymachine su: 'su root' failed"},
		{"not syslog", sa, `{}`, "hello world"},
		{"JSON object", sa, `{}`, `{"message": "x"}`},
		{"invalid UTF-8", sa, `{}`, "Jan 10 19:35:13 host app: \xfe"},
		{"envelope needs JSON", sa, `{"envelope_keys": {"a": "string"}}`, "Jan 10 19:35:13 host app: x"},
	}
	parsertest.RunCases(t, New(), cases, filepath.Join("testdata", "parse.golden"))
}
