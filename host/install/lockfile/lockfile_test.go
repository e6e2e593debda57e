package lockfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var h1 = "sa1:" + strings.Repeat("a", 64)

func sample() *File {
	f := New()
	f.Plugins["output.webhook"] = &Entry{Version: "1.2.0", Constraint: "^1.2", Index: "acme", Source: "https://x/index.json", Hashes: map[string]string{"linux_amd64": h1}}
	return f
}

func TestWriteReadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), Name)
	if err := sample().Write(path); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(path)
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if !Equal(got, sample()) {
		t.Fatalf("read back %+v", got.Plugins["output.webhook"])
	}
	if err := got.Write(path); err != nil {
		t.Fatal(err)
	}
	if second, _ := os.ReadFile(path); string(first) != string(second) {
		t.Errorf("rewriting changed the bytes:\n%s\n%s", first, second)
	}
	if !strings.Contains(string(first), "do not edit it by hand") {
		t.Errorf("no comment:\n%s", first)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestReadMissingIsEmpty(t *testing.T) {
	f, err := Read(filepath.Join(t.TempDir(), Name))
	if err != nil || len(f.Plugins) != 0 {
		t.Fatalf("%v %v", f, err)
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	tests := []struct {
		name, data string
		want       []string
	}{
		{"valid", `{"format":1,"plugins":{"output.x":{"version":"1.0.0","source":"s","hashes":{"any":"` + h1 + `"}}}}`, nil},
		{"wrong format", `{"format":2,"plugins":{}}`, []string{"format: 2"}},
		{"unknown key", `{"format":1,"plugins":{},"extra":1}`, []string{`unknown field "extra"`}},
		{"everything wrong", `{"format":1,"plugins":{"slack":{"version":"v1","source":"","hashes":{"linux":"h1:abc"}}}}`,
			[]string{"plugins.slack: not a plugin address", "plugins.slack.version", "plugins.slack.source: empty", "plugins.slack.hashes.linux: not a platform", `"h1:abc" is not a sa1: tree hash`}},
		{"no hashes", `{"format":1,"plugins":{"app.x":{"version":"1.0.0","source":"s","hashes":{}}}}`, []string{"plugins.app.x.hashes: empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("sa.lock", []byte(tt.data))
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range append(tt.want, "sa.lock: ") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestDiff(t *testing.T) {
	a := sample()
	b := a.Clone()
	b.Plugins["output.webhook"].Hashes["darwin_arm64"] = h1
	b.Plugins["output.webhook"].Constraint = "^1"
	b.Plugins["app.duo"] = &Entry{Version: "0.1.0", Source: "p", Hashes: map[string]string{"any": h1}}
	got := strings.Join(Diff(a, b), "\n")
	for _, want := range []string{"app.duo: would be added at 0.1.0", `constraint "^1.2" would become "^1"`, "hash for darwin_arm64 would be added"} {
		if !strings.Contains(got, want) {
			t.Errorf("diff %q lacks %q", got, want)
		}
	}
	if len(Diff(a, a.Clone())) != 0 || !Equal(a, a.Clone()) {
		t.Error("a clone differs")
	}
	if _, ok := a.Plugins["output.webhook"].Hashes["darwin_arm64"]; ok {
		t.Error("Clone shares hashes")
	}
}

func TestEntryHashFallsBackToAny(t *testing.T) {
	e := &Entry{Hashes: map[string]string{"any": h1}}
	if h, ok := e.Hash("linux_arm64"); !ok || h != h1 {
		t.Fatal("no fallback to any")
	}
	e.Hashes["linux_arm64"] = "sa1:" + strings.Repeat("b", 64)
	if h, _ := e.Hash("linux_arm64"); h == h1 {
		t.Fatal("any wins over the exact platform")
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyDir(t *testing.T) {
	base := func(t *testing.T) (string, string) {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "plugin.json"), "{}")
		write(t, filepath.Join(dir, "gen", "a.py"), "print(1)")
		h, err := HashDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		return dir, h
	}
	tests := []struct {
		name   string
		change func(dir string)
		want   string
	}{
		{"unchanged", func(string) {}, ""},
		{"file changed", func(d string) { write(t, filepath.Join(d, "gen", "a.py"), "print(2)") }, "a file was changed, added or removed"},
		{"file added", func(d string) { write(t, filepath.Join(d, "gen", "evil.py"), "x") }, "a file was changed"},
		{"file removed", func(d string) { os.Remove(filepath.Join(d, "gen", "a.py")) }, "a file was changed"},
		{"file renamed", func(d string) { os.Rename(filepath.Join(d, "gen", "a.py"), filepath.Join(d, "a.py")) }, "a file was changed"},
		{"symlink added", func(d string) { os.Symlink("/etc/passwd", filepath.Join(d, "link")) }, "symlinks are not allowed"},
		{"empty directory added", func(d string) { os.Mkdir(filepath.Join(d, "empty"), 0o755) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, h := base(t)
			tt.change(dir)
			err := VerifyDir(dir, h)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if strings.Contains(tt.want, "changed") && !errors.Is(err, ErrHashMismatch) {
				t.Errorf("error %v does not wrap ErrHashMismatch", err)
			}
		})
	}
}

func TestTreeHashIgnoresOrderAndNamesFilesExactly(t *testing.T) {
	a, b := NewTree(), NewTree()
	a.Add("x", strings.Repeat("1", 64))
	a.Add("y/z", strings.Repeat("2", 64))
	b.Add("y/z", strings.Repeat("2", 64))
	b.Add("x", strings.Repeat("1", 64))
	if a.Sum() != b.Sum() || !ValidHash(a.Sum()) {
		t.Fatal("order matters")
	}
	c := NewTree()
	c.Add("x", strings.Repeat("2", 64))
	c.Add("y/z", strings.Repeat("1", 64))
	if c.Sum() == a.Sum() {
		t.Fatal("swapped contents give the same hash")
	}
	if err := a.Add("x", strings.Repeat("3", 64)); err == nil {
		t.Error("duplicate accepted")
	}
	for _, bad := range []string{"../x", "/x", "a/../b", "a\\b", "", ".", "a//b", "a/"} {
		if err := NewTree().Add(bad, strings.Repeat("1", 64)); err == nil {
			t.Errorf("path %q accepted", bad)
		}
	}
}

func TestReadDevOverrides(t *testing.T) {
	home := t.TempDir()
	if o, err := ReadDevOverrides(home); err != nil || o != nil {
		t.Fatalf("no sa.yaml: %v %v", o, err)
	}
	write(t, filepath.Join(home, "sa.yaml"), "listen: x\nplugins:\n  dev_overrides:\n    output.webhook: build/sa-output-webhook\n    app.duo: /abs/sa-app-duo\n")
	o, err := ReadDevOverrides(home)
	if err != nil || o["output.webhook"] != filepath.Join(home, "build/sa-output-webhook") || o["app.duo"] != "/abs/sa-app-duo" {
		t.Fatalf("%v %v", o, err)
	}
	write(t, filepath.Join(home, "sa.yaml"), "plugins:\n  dev_overrides:\n    webhook: /x\n")
	if _, err := ReadDevOverrides(home); err == nil || !strings.Contains(err.Error(), `"webhook" is not a plugin address`) {
		t.Errorf("error %v", err)
	}
}

func FuzzParse(f *testing.F) {
	data, _ := sample().Marshal()
	f.Add(data)
	f.Add([]byte(`{"format":1,"plugins":{"x":null}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse("fuzz", data)
		if err != nil {
			return
		}
		out, err := l.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse("again", out); err != nil {
			t.Fatalf("a valid lock does not read back: %v", err)
		}
	})
}
