package httpout

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

var now = time.Unix(1700000000, 0)

func TestRetryAfter(t *testing.T) {
	at := func(d time.Duration, layout string) string { return now.Add(d).UTC().Format(layout) }
	tests := []struct {
		value string
		limit time.Duration
		want  time.Duration
	}{
		{"", time.Hour, 0},
		{"7", time.Hour, 7 * time.Second},
		{" 7 ", time.Hour, 7 * time.Second},
		{"0", time.Hour, 0},
		{"-5", time.Hour, 0},
		{"1.5", time.Hour, 0},
		{"99999999999999999999", time.Hour, time.Hour},
		{"7200", time.Hour, time.Hour},
		{"7", 0, 0},
		{at(90*time.Second, http.TimeFormat), time.Hour, 90 * time.Second},
		{at(90*time.Second, time.RFC850), time.Hour, 90 * time.Second},
		{at(90*time.Second, time.ANSIC), time.Hour, 90 * time.Second},
		{at(-time.Minute, http.TimeFormat), time.Hour, 0},
		{at(2*time.Hour, http.TimeFormat), time.Hour, time.Hour},
		{"soon", time.Hour, 0},
	}
	for _, tt := range tests {
		if got := RetryAfter(tt.value, now, tt.limit); got != tt.want {
			t.Errorf("RetryAfter(%q, %s) = %s, want %s", tt.value, tt.limit, got, tt.want)
		}
	}
}

func TestClassifyText(t *testing.T) {
	tests := []struct {
		code int
		want saplugin.SendStatus
	}{
		{200, saplugin.Delivered}, {204, saplugin.Delivered}, {301, saplugin.Permanent}, {400, saplugin.Permanent},
		{401, saplugin.Permanent}, {408, saplugin.Retryable}, {425, saplugin.Retryable}, {429, saplugin.Retryable},
		{500, saplugin.Retryable}, {503, saplugin.Retryable},
	}
	for _, tt := range tests {
		if got := ClassifyText(tt.code, "why"); got.Status != tt.want {
			t.Errorf("%d: %s, want %s", tt.code, got.Status, tt.want)
		}
	}
	if m := ClassifyText(400, "bad").Message; m != "HTTP 400: bad" {
		t.Errorf("message %q", m)
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  plain  ", "plain"},
		{"a\r\nb\x00c \xff", "a b c"},
		{"line1\nline2\r\n\tline3", "line1 line2 line3"},
		{"bad \xff utf8", "bad  utf8"},
		{strings.Repeat("é", 300), strings.Repeat("é", 256) + "..."},
	}
	for _, tt := range tests {
		if got := Quote([]byte(tt.in)); got != tt.want {
			t.Errorf("Quote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := Quote([]byte(strings.Repeat("x", 600))); len(got) != MaxQuoted+3 || !strings.HasSuffix(got, "...") {
		t.Errorf("long body quoted as %d bytes", len(got))
	}
}

func TestRedactor(t *testing.T) {
	u, _ := url.Parse("https://hooks.example.com/hooks/T0SECRET/B0SECRET/tok3n-secret?key=qsecret99")
	r := NewRedactor(append(URLSecrets(u), "short")...)
	got := r("POST " + u.String() + " path " + u.Path + " seg tok3n-secret q qsecret99 short hooks")
	bare := strings.ReplaceAll(got, schema.Masked, "")
	if strings.Contains(bare, "SECRET") || strings.Contains(bare, "secret") || !strings.Contains(got, "short hooks") {
		t.Errorf("redacted: %q", got)
	}
}

func TestParseHTTPS(t *testing.T) {
	for raw, ok := range map[string]bool{"https://x.example/a#frag": true, "http://x.example/": false,
		"https://": false, "https://%zz": false, "mailto:a@b": false} {
		u, msg := ParseHTTPS(raw)
		if (msg == "") != ok || ok && u.Fragment != "" {
			t.Errorf("%q: %v %q", raw, u, msg)
		}
		if strings.Contains(msg, "x.example") {
			t.Errorf("message quotes the value: %q", msg)
		}
	}
}

func TestDecode(t *testing.T) {
	alert := []byte(`{"id":"a1","rule_name":"r","rule_description":"d","record":{"k":1},"x":2}`)
	in, err := Decode(saplugin.SendRequest{Alert: alert, Publication: []byte(" null ")})
	if err != nil || in.Alert.ID != "a1" || in.String("x", "") != "2" || in.String("rule_name", "") != "r" {
		t.Fatalf("fallback to the alert: %+v %v", in, err)
	}
	in, err = Decode(saplugin.SendRequest{Alert: alert, Publication: []byte(`{"@s.t":"v","@s.n":null}`)})
	if err != nil || in.String("@s.t", "def") != "v" || in.String("@s.n", "def") != "def" || in.String("@s.none", "def") != "def" {
		t.Fatalf("publication: %+v %v", in, err)
	}
	for _, bad := range []saplugin.SendRequest{{Alert: []byte(`[]`)}, {Alert: alert, Publication: []byte(`[1]`)}, {Alert: alert, Publication: []byte(`{`)}} {
		if _, err := Decode(bad); !errors.Is(err, ErrBadInput) {
			t.Errorf("%s / %s: %v, want ErrBadInput", bad.Alert, bad.Publication, err)
		}
	}
}

func TestPyStr(t *testing.T) {
	tests := map[string]string{
		`"plain"`: "plain", `true`: "True", `false`: "False", `null`: "None", `1.50`: "1.50",
		`{"b":1,"a":[true,null,"it's"]}`:      `{'b': 1, 'a': [True, None, "it's"]}`,
		`["x\ny", "q'\"", "back\\slash", {}]`: `['x\ny', 'q\'"', 'back\\slash', {}]`,
	}
	for in, want := range tests {
		if got := PyStr(json.RawMessage(in)); got != want {
			t.Errorf("PyStr(%s) = %s, want %s", in, got, want)
		}
	}
	if m := Members(json.RawMessage(`{"z":1,"a":{"n":2}}`)); len(m) != 2 || m[0].Key != "z" || string(m[1].Value) != `{"n":2}` {
		t.Errorf("Members kept no order: %v", m)
	}
}

type closer struct{ closed *atomic.Int32 }

func (c closer) Close() { c.closed.Add(1) }

func TestInstances(t *testing.T) {
	var built, closed atomic.Int32
	in := Instances[closer]{Build: func(schema.Config) (closer, error) { built.Add(1); return closer{&closed}, nil }}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if i%5 == 0 {
				_, _ = in.Configure(context.Background(), "a", nil)
			}
			if _, err := in.Get("a", nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if built.Load()-closed.Load() != 1 {
		t.Errorf("built %d, closed %d: want every replaced target closed", built.Load(), closed.Load())
	}
}

func TestPyJSON(t *testing.T) {
	const doc = `{"b":[1, 2.50,{}],"a":{"z":null,"y":true},"é":"tab\t\"q\" \\ \u2028 😀","e":[]}`
	tests := []struct {
		indent int
		want   string
	}{
		{0, `{"a": {"y": true, "z": null}, "b": [1, 2.50, {}], "e": [], "\u00e9": "tab\t\"q\" \\ \u2028 \ud83d\ude00"}`},
		{2, "{\n  \"a\": {\n    \"y\": true,\n    \"z\": null\n  },\n  \"b\": [\n    1,\n    2.50,\n    {}\n  ],\n" +
			"  \"e\": [],\n  \"\\u00e9\": \"tab\\t\\\"q\\\" \\\\ \\u2028 \\ud83d\\ude00\"\n}"},
	}
	for _, tt := range tests {
		if got := PyJSON(json.RawMessage(doc), tt.indent); got != tt.want {
			t.Errorf("indent %d:\n got %s\nwant %s", tt.indent, got, tt.want)
		}
	}
	if got := PyJSON(json.RawMessage(`{`), 0); got != "null" {
		t.Errorf("invalid JSON rendered as %s", got)
	}
}
