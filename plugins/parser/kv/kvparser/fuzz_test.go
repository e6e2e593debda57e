package kvparser

import (
	"context"
	"testing"

	"github.com/streamalert-go/sa/plugins/parser/internal/parsertest"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

var fuzzOptions = []string{`{}`, `{"delimiter": ",", "separator": ":"}`, `{"delimiter": "¦", "separator": "→"}`, `{"delimiter": "  ", "separator": "=="}`}

func FuzzParse(f *testing.F) {
	for i, s := range []string{"type=A msg=b uid=1", "a:1,b:2,c:3", "type=A type=B type=C", `"x=1 y=2 z=3"`, "a→1¦b→2¦c→3", "k==v  x==y  z==w"} {
		f.Add([]byte(s), uint8(i))
	}
	p := New()
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		records := [][]byte{data}
		res, err := p.Parse(context.Background(), saplugin.ParseRequest{
			Schema: []byte(schema3), Options: []byte(fuzzOptions[int(mode)%len(fuzzOptions)]), Records: records,
		})
		if err != nil {
			t.Fatal(err)
		}
		parsertest.CheckResults(t, records, res)
	})
}
