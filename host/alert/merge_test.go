package alert

import (
	"encoding/json"
	"testing"
	"time"
)

func TestFirstKey(t *testing.T) {
	tests := []struct {
		name, doc, key, want string
		found                bool
	}{
		{"top level", `{"a":1,"b":{"a":2}}`, "a", `1`, true},
		{"nested", `{"x":{"y":{"user":"alice"}}}`, "user", `"alice"`, true},
		{"shallowest wins over earlier deeper", `{"x":{"y":{"k":"deep"}},"z":{"k":"shallow"}}`, "k", `"shallow"`, true},
		{"document order at one depth", `{"p":{"k":1},"q":{"k":2}}`, "k", `1`, true},
		{"into arrays", `{"list":[1,{"k":[1,2]}]}`, "k", `[1,2]`, true},
		{"array document", `[{"a":{"k":true}},{"k":false}]`, "k", `false`, true},
		{"value may be an object", `{"k":{"z":1}}`, "k", `{"z":1}`, true},
		{"repeated key: last value", `{"k":1,"k":2}`, "k", `2`, true},
		{"repeated key keeps first place", `{"a":{"k":"deep"},"b":{"k":"x","b":{}}}`, "k", `"deep"`, true},
		{"null value is found", `{"k":null}`, "k", `null`, true},
		{"missing", `{"a":{"b":[1,2]}}`, "k", ``, false},
		{"scalar document", `"k"`, "k", ``, false},
		{"keys are exact", `{"K":1,"k ":2}`, "k", ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found, err := FirstKey(json.RawMessage(tt.doc), tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if found != tt.found || string(got) != tt.want {
				t.Errorf("FirstKey = %s, %v; want %s, %v", got, found, tt.want, tt.found)
			}
		})
	}
	if _, _, err := FirstKey(json.RawMessage(`{"a":`), "k"); err == nil {
		t.Error("FirstKey on broken JSON returned no error")
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"b":1,"a":[true,null,"x"]}`, `{"a":[true,null,"x"],"b":1}`},
		{`1.0`, `1`}, {`1e2`, `100`}, {`-0`, `0`}, {`0.10`, `0.1`}, {`2.5E-1`, `0.25`},
		{`12345678901234567890`, `12345678901234567890`},
		{`1e999`, `+Inf`},
		{`{"k":1,"k":2}`, `{"k":2}`},
		{`"<é>"`, `"<é>"`},
	}
	for _, tt := range tests {
		got, err := Canonical(json.RawMessage(tt.in))
		if err != nil || string(got) != tt.want {
			t.Errorf("Canonical(%s) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{`{`, `1 2`, ``} {
		if _, err := Canonical(json.RawMessage(bad)); err == nil {
			t.Errorf("Canonical(%q) returned no error", bad)
		}
	}
}

func TestCanMerge(t *testing.T) {
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	mk := func(rule, record string, created time.Duration, window time.Duration, keys ...string) *Alert {
		a, err := New(Params{RuleName: rule, Record: json.RawMessage(record), Created: at.Add(created),
			MergeByKeys: keys, MergeWindow: window})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	const alice = `{"user":"alice","n":1}`
	tests := []struct {
		name string
		a, b *Alert
		want bool
	}{
		{"same values", mk("r", alice, 0, time.Hour, "user"), mk("r", `{"x":{"user":"alice"}}`, time.Minute, time.Hour, "user"), true},
		{"different values", mk("r", alice, 0, time.Hour, "user"), mk("r", `{"user":"bob"}`, 0, time.Hour, "user"), false},
		{"both missing", mk("r", `{}`, 0, time.Hour, "user"), mk("r", `{"a":1}`, 0, time.Hour, "user"), true},
		{"missing equals null", mk("r", `{}`, 0, time.Hour, "user"), mk("r", `{"user":null}`, 0, time.Hour, "user"), true},
		{"number spelling", mk("r", `{"n":1}`, 0, time.Hour, "n"), mk("r", `{"n":1.0}`, 0, time.Hour, "n"), true},
		{"object key order", mk("r", `{"o":{"a":1,"b":2}}`, 0, time.Hour, "o"), mk("r", `{"o":{"b":2,"a":1}}`, 0, time.Hour, "o"), true},
		{"true is not 1", mk("r", `{"n":true}`, 0, time.Hour, "n"), mk("r", `{"n":1}`, 0, time.Hour, "n"), false},
		{"window edge is inclusive", mk("r", alice, 0, time.Hour, "user"), mk("r", alice, time.Hour, time.Hour, "user"), true},
		{"past the window", mk("r", alice, 0, time.Hour, "user"), mk("r", alice, time.Hour+time.Second, time.Hour, "user"), false},
		{"older one's window counts", mk("r", alice, 0, time.Minute, "user"), mk("r", alice, 2*time.Minute, time.Hour, "user"), false},
		{"order of arguments", mk("r", alice, 2*time.Minute, time.Hour, "user"), mk("r", alice, 0, time.Hour, "user"), true},
		{"different key sets", mk("r", alice, 0, time.Hour, "user"), mk("r", alice, 0, time.Hour, "user", "n"), false},
		{"different rules", mk("r", alice, 0, time.Hour, "user"), mk("s", alice, 0, time.Hour, "user"), false},
		{"no window", mk("r", alice, 0, 0, "user"), mk("r", alice, 0, 0, "user"), false},
		{"no keys", mk("r", alice, 0, time.Hour), mk("r", alice, 0, time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.CanMerge(tt.b); got != tt.want {
				t.Errorf("CanMerge = %v, want %v", got, tt.want)
			}
			if got := tt.b.CanMerge(tt.a); got != tt.want {
				t.Errorf("CanMerge is not symmetric")
			}
		})
	}
}

func TestMergeKey(t *testing.T) {
	a, _ := New(Params{RuleName: "r", Record: json.RawMessage(`{"b":{"x":[1.0]},"a":"v"}`),
		MergeByKeys: []string{"x", "a", "gone"}, MergeWindow: time.Minute})
	got, err := a.MergeKey()
	if want := `{"a":"v","gone":null,"x":[1]}`; err != nil || got != want {
		t.Errorf("MergeKey = %s, %v; want %s", got, err, want)
	}
}
