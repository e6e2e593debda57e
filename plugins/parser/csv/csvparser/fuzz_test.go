package csvparser

import (
	"context"
	"testing"

	"github.com/streamalert-go/sa/plugins/parser/internal/parsertest"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

var fuzzConfigs = []struct{ schema, options string }{
	{`{"a": "string", "b": "string", "c": "string"}`, `{}`},
	{aurora, `{"json_path": "logEvents[*].message", "quotechar": "'", "escapechar": "\\", "envelope_keys": {"owner": "string"}}`},
	{`{"a": "string", "n": {"x": "string", "y": {"z": "string"}}}`, `{"delimiter": "|"}`},
	{`{"a": "string", "b": "string"}`, `{"delimiter": "§", "quotechar": "'", "escapechar": "\\"}`},
}

// FuzzParse feeds arbitrary text through each configuration. Seeds include
// the compatibility corpus's csv events.
func FuzzParse(f *testing.F) {
	for _, e := range parsertest.Load(f).EventsFor("csv") {
		f.Add(e.Data, uint8(1))
	}
	for _, s := range []string{"a,b,c\n\"d\ne\",f,g", "'x\\'y',\"\"\"\"\r\n,,", `"a,\"1|\"\"2\"\"\"|3"`, "a|\"x|y\"|b"} {
		for i := range fuzzConfigs {
			f.Add([]byte(s), uint8(i))
		}
	}
	p := New()
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		cfg := fuzzConfigs[int(mode)%len(fuzzConfigs)]
		records := [][]byte{data}
		res, err := p.Parse(context.Background(), saplugin.ParseRequest{
			Schema: []byte(cfg.schema), Options: []byte(cfg.options), Records: records,
		})
		if err != nil {
			t.Fatal(err)
		}
		parsertest.CheckResults(t, records, res)
	})
}
