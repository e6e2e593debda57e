package syslogparser

import (
	"context"
	"testing"

	"github.com/streamalert-go/sa/plugins/parser/internal/parsertest"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"Jan 10 19:35:13 vagrant-ubuntu-precise-32 ssh[13941]: login for mike",
		`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="App"] msg`,
		`<13>1 2026-11-23T01:02:03+01:00 h a 42 m [x@1 q="a\"b\\c\]d"][y z="1"]`,
		"<0>1 - - - - - -", `"Jan 10 19:35:13 host sudo: x"`,
	} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	p := New()
	full := `{"timestamp": "string", "host": "string", "application": "string", "message": "string", "structured_data": {}, "priority": "integer"}`
	f.Fuzz(func(t *testing.T, data []byte, extras bool) {
		schema := streamalertSchema
		if extras {
			schema = full
		}
		records := [][]byte{data}
		res, err := p.Parse(context.Background(), saplugin.ParseRequest{Schema: []byte(schema), Records: records})
		if err != nil {
			t.Fatal(err)
		}
		parsertest.CheckResults(t, records, res)
	})
}
