package rules

import (
	"slices"
	"testing"
)

// TestIndexNarrows checks the discriminator index offers each record the
// rules it can match, in load order, and never hands out its own lists
// as scratch space.
func TestIndexNarrows(t *testing.T) {
	e := newEngine(t, `
rules:
  - name: a
    logs: [test:events]
    condition: record.eventName == "A"
  - name: any
    logs: [test:events]
    condition: record.count > 0
  - name: ab
    logs: [test:events]
    matchers: [user_bob]
    condition: record.eventName in ["A", "B"]
  - name: nested
    logs: [test:events]
    condition: record.detail.kind == "k" && record.eventName != ""
`, `
matchers:
  - name: user_bob
    condition: record.user.name == "bob"
`, Options{Schemas: testSchemas})
	ix := e.byLog["test:events"]
	names := func(l []*compiled) []string {
		var out []string
		for _, c := range l {
			out = append(out, c.spec.Name)
		}
		return out
	}
	for _, c := range []struct {
		data map[string]any
		want []string
	}{
		{map[string]any{"eventName": "A", "user": map[string]any{"name": "x"}, "detail": map[string]any{"kind": "z"}}, []string{"a", "any"}},
		{map[string]any{"eventName": "B", "user": map[string]any{"name": "bob"}, "detail": map[string]any{"kind": "k"}}, []string{"any", "ab", "nested"}},
		// A discriminating value that is missing or not a string could make
		// a rule fail rather than not match: every rule is offered.
		{map[string]any{"eventName": "B", "user": map[string]any{"name": "bob"}, "detail": map[string]any{"kind": 5}}, []string{"a", "any", "ab", "nested"}},
		{map[string]any{"eventName": "A", "user": map[string]any{"name": "x"}, "detail": map[string]any{}}, []string{"a", "any", "ab", "nested"}},
	} {
		before := names(ix.all)
		got, scratch := ix.candidates(c.data, nil)
		if !slices.Equal(names(got), c.want) {
			t.Errorf("%v: candidates %v, want %v", c.data, names(got), c.want)
		}
		// Writing to the scratch buffer must not touch the index.
		scratch = append(scratch[:0], ix.always...)
		if !slices.Equal(names(ix.all), before) {
			t.Fatalf("index changed through the scratch buffer: %v", names(ix.all))
		}
	}
}
