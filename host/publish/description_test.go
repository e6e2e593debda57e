package publish

import (
	"reflect"
	"testing"
)

func TestPresent(t *testing.T) {
	tests := []struct {
		name, desc string
		want       presentation
	}{
		{"empty", "", presentation{}},
		{"author only", "\n   author:  Jane Doe   \n", presentation{author: "Jane Doe"}},
		{"maintainer is the author", "maintainer: Jane", presentation{author: "Jane"}},
		{"free text is the description", "Fires when things\n  happen, as they do: often\n",
			presentation{description: "Fires when things happen, as they do: often"}},
		{"text then fields", "Boiler too hot\n\nauthor: Jane (IR)\nreference: https://example.com",
			presentation{author: "Jane (IR)", description: "Boiler too hot",
				fields: []namedText{{"reference", "https://example.com"}}}},
		{"fields keep their order and are lower case", "Runbook:  step one\n   step two\nATT&CK Tactic: Evasion",
			presentation{fields: []namedText{{"runbook", "step one step two"}, {"att&ck tactic", "Evasion"}}}},
		{"a URL over lines is joined", "reference: https://example.com/\n    a/b\n    ?c=d&e=f#g[0]",
			presentation{fields: []namedText{{"reference", "https://example.com/a/b?c=d&e=f#g[0]"}}}},
		{"text after a URL is spaced", "reference: https://example.com/x\n  is the page",
			presentation{fields: []namedText{{"reference", "https://example.com/x is the page"}}}},
		{"an http: line is not a label", "reference: https://a.example.com/x\nhttps://b.example.com/y\nHTTP URL: https://c.example.com",
			presentation{fields: []namedText{{"reference", "https://a.example.com/xhttps://b.example.com/y"},
				{"http url", "https://c.example.com"}}}},
		{"blank lines are paragraph breaks", "description:\n  one\n  two\n\n  three\n\n\n  four",
			presentation{description: "one two\nthree\n\nfour"}},
		{"labels are at most 20 characters", "this label is far too long: text",
			presentation{description: "this label is far too long: text"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := present(tt.desc); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("present = %#v\nwant      %#v", got, tt.want)
			}
		})
	}
}
