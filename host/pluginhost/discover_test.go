package pluginhost

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, data string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

const sum0 = "0000000000000000000000000000000000000000000000000000000000000000"

func TestReadManifestReportsEveryProblem(t *testing.T) {
	tests := []struct {
		name string
		json string
		want []string
	}{
		{"valid", `{"name":"slack","kind":"output","version":"1.2.3","protocols":[1],"executable":"sa-output-slack","sha256":"` + sum0 + `"}`, nil},
		{"everything wrong", `{"name":"Slack!","kind":"notifier","version":"v1","protocols":[],"executable":"../x","sha256":"abc"}`,
			[]string{"name:", "kind:", "version:", "protocols: empty", "executable:", "sha256:"}},
		{"unknown key", `{"name":"x","kind":"app","version":"1.0.0","protocols":[1],"executable":"x","sha256":"` + sum0 + `","sha":"1"}`,
			[]string{`unknown field "sha"`}},
		{"absolute file", `{"name":"x","kind":"app","version":"1.0.0","protocols":[1],"executable":"x","sha256":"` + sum0 + `","files":{"/etc/passwd":"` + sum0 + `"}}`,
			[]string{"files./etc/passwd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ManifestFile)
			writeFile(t, path, tt.json, 0o644)
			_, err := ReadManifest(path)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func manifestJSON(name, kind string) string {
	return `{"name":"` + name + `","kind":"` + kind + `","version":"1.0.0","protocols":[1],"executable":"bin","sha256":"` + sum0 + `"}`
}

func TestDiscover(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(first, "output/slack/1.0.0/plugin.json"), manifestJSON("slack", "output"), 0o644)
	writeFile(t, filepath.Join(first, "output/slack/1.0.0/bin"), "x", 0o755)
	writeFile(t, filepath.Join(first, "app/slack/plugin.json"), manifestJSON("slack", "app"), 0o644)
	writeFile(t, filepath.Join(first, "app/slack/bin"), "x", 0o755)
	// Broken: bad JSON; a world-writable executable; a shadowed duplicate.
	writeFile(t, filepath.Join(first, "output/bad/plugin.json"), `{`, 0o644)
	writeFile(t, filepath.Join(first, "output/open/plugin.json"), manifestJSON("open", "output"), 0o644)
	writeFile(t, filepath.Join(first, "output/open/bin"), "x", 0o777)
	writeFile(t, filepath.Join(second, "slack/plugin.json"), manifestJSON("slack", "output"), 0o644)
	writeFile(t, filepath.Join(second, "slack/bin"), "x", 0o755)

	found, problems := Discover([]string{first, second, filepath.Join(t.TempDir(), "missing")})
	var addrs []string
	for _, p := range found {
		addrs = append(addrs, p.Address())
	}
	if got := strings.Join(addrs, " "); got != "app.slack output.slack" {
		t.Errorf("found %q, want app.slack and output.slack", got)
	}
	if found[1].Dir != filepath.Join(first, "output/slack/1.0.0") {
		t.Errorf("output.slack from %s, want the first directory", found[1].Dir)
	}
	all := ""
	for _, p := range problems {
		all += p.Error() + "\n"
	}
	for _, want := range []string{"output/bad/plugin.json", "world-writable", "shadowed"} {
		if !strings.Contains(all, want) {
			t.Errorf("problems do not mention %q:\n%s", want, all)
		}
	}
	if len(problems) != 3 {
		t.Errorf("%d problems, want 3:\n%s", len(problems), all)
	}
}

func TestVerify(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "plugin.py"), "print()", 0o644)
	writeFile(t, filepath.Join(dir, "lib.py"), "x = 1", 0o644)
	sumMain, _ := FileSHA256(filepath.Join(dir, "plugin.py"))
	sumLib, _ := FileSHA256(filepath.Join(dir, "lib.py"))
	p := &Installed{Dir: dir, Manifest: &Manifest{Executable: "plugin.py", SHA256: sumMain, Files: map[string]string{"lib.py": sumLib}}}
	if err := Verify(p); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "lib.py"), "x = 2", 0o644)
	err := Verify(p)
	if err == nil || !strings.Contains(err.Error(), "lib.py") || !strings.Contains(err.Error(), "changed after install") {
		t.Fatalf("error %v, want lib.py named as changed", err)
	}
}
