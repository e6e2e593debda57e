package streamquery

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzParseQuery: any input either loads as a query that has a name, a
// query and tags, and renders with every placeholder filled, or fails
// with problems that each name the file.
func FuzzParseQuery(f *testing.F) {
	f.Add([]byte(goodQuery))
	f.Add([]byte("name: n\nquery: \"SELECT '{{x}}' {utcdatehour}\"\nparams: [utcdatehour]\ntags: [t]\n"))
	f.Add([]byte("name: &a n\nquery: *a\ntags: [*a]\n"))
	f.Add([]byte("name: n\nquery: |\n  {\n}\ntags: [t]\n---\n"))
	f.Add([]byte("{name: n, query: '{utcisotime}', params: [utcisotime, utcisotime], tags: [a, b]}"))
	clock := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := ParseQuery("f.yaml", data)
		if err != nil {
			var ps Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("error %v is not Problems", err)
			}
			for _, p := range ps {
				if p.File != "f.yaml" || p.Message == "" {
					t.Fatalf("problem %+v", p)
				}
			}
			return
		}
		if q.Name == "" || strings.TrimSpace(q.Query) == "" || len(q.Tags) == 0 {
			t.Fatalf("loaded an incomplete query %+v", q)
		}
		text, params := q.Render(clock)
		if len(params) != len(q.Params) {
			t.Fatalf("params %v for %v", params, q.Params)
		}
		for _, p := range q.Params {
			if strings.Contains(text, "{"+p+"}") && !strings.Contains(q.Query, "{{"+p+"}}") {
				t.Fatalf("placeholder {%s} left in %q", p, text)
			}
		}
	})
}

// FuzzParseConfig: any input decodes or fails with errors naming the
// file; a decoded config has sane durations.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"enabled": true, "config": {"destination_kinesis_stream": "s", "sfn_timeout_secs": 300, "sfn_wait_secs": 30},
		"packs": {"p": {"description": "d", "schedule_expression": "rate(1 hour)"}}, "lambda_config": {"memory": 128}}`))
	f.Add([]byte(`{"packs": {"p": {"schedule_expression": "cron(0 9 * * ? *)"}}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), ConfigFile+" ") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if c.Timeout <= 0 || c.Wait <= 0 || c.Wait > c.Timeout || c.Enabled && (c.Stream == "" || len(c.Packs) == 0) {
			t.Fatalf("accepted %+v", c)
		}
	})
}
