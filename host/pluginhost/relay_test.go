package pluginhost

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestRelay(t *testing.T) {
	var out bytes.Buffer
	r := &Redactor{}
	r.Add("hunter22", "abc") // "abc" is too short to mask
	w := newRelay(slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug})), r)
	input := strings.Join([]string{
		`{"level":"WARN","msg":"slow vendor","ms":1200}`,
		`{"@level":"debug","@message":"hclog line","@module":"x","n":1}`,
		`[ERROR] prefixed line`,
		`plain line with hunter22 inside`,
		`{"@message":1}`,
		`panic: boom`,
		`goroutine 1 [running]:`,
	}, "\n") + "\n"
	// Feed it in awkward pieces: lines are reassembled.
	for i := 0; i < len(input); i += 7 {
		w.Write([]byte(input[i:min(i+7, len(input))]))
	}
	type entry struct {
		Level, Msg string
		MS         float64
		N          float64
	}
	var got []entry
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var e entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	want := []entry{
		{Level: "WARN", Msg: "slow vendor", MS: 1200},
		{Level: "DEBUG", Msg: "hclog line", N: 1},
		{Level: "ERROR", Msg: "prefixed line"},
		{Level: "INFO", Msg: "plain line with <secret> inside"},
		{Level: "INFO", Msg: ""},
		{Level: "ERROR", Msg: "panic: boom"},
		{Level: "ERROR", Msg: "goroutine 1 [running]:"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d:\n%s", len(got), len(want), out.String())
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if tail := w.Tail(); len(tail) != len(want) || strings.Contains(strings.Join(tail, ""), "hunter22") {
		t.Errorf("tail %q: want %d masked lines", tail, len(want))
	}
}

func TestRedactorLongestFirst(t *testing.T) {
	r := &Redactor{}
	r.Add("secret", "secret-and-more")
	if got := r.Redact("x secret-and-more y secret"); got != "x <secret> y <secret>" {
		t.Errorf("got %q", got)
	}
}
