package install

import (
	"archive/tar"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/install/lockfile"
)

func TestParseName(t *testing.T) {
	tests := []struct {
		in   string
		want Name
		err  string
	}{
		{in: "webhook", want: Name{Name: "webhook"}},
		{in: "output.webhook", want: Name{Kind: "output", Name: "webhook"}},
		{in: "app.duo@^1.2", want: Name{Kind: "app", Name: "duo", Constraint: "^1.2"}},
		{in: "duo@>= 1.0, < 2", want: Name{Name: "duo", Constraint: ">= 1.0, < 2"}},
		{in: "notifier.x", err: "notifier"},
		{in: "Web Hook", err: "is not a plugin name"},
		{in: "x@", err: "empty version constraint"},
		{in: "x@banana", err: `version constraint "banana"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseName(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("%+v %v", got, err)
			}
		})
	}
}

func release(v string, protocols []int, platforms ...string) IndexVersion {
	r := IndexVersion{Version: v, Protocols: protocols}
	for _, p := range platforms {
		r.Archives = append(r.Archives, Archive{Platform: p})
	}
	return r
}

func TestSelect(t *testing.T) {
	p := &IndexPlugin{Name: "x", Kind: "output", Versions: []IndexVersion{
		release("1.0.0", []int{1}, "linux_amd64"),
		release("1.2.0", []int{1}, "linux_amd64", "darwin_arm64"),
		release("1.3.0-rc.1", []int{1}, "linux_amd64"),
		release("1.4.0", []int{1}, "darwin_arm64"),
		release("2.0.0", []int{2}, "linux_amd64"),
		release("0.9.0", []int{1}, "any"),
	}}
	tests := []struct {
		name string
		sel  Selection
		want string
		err  string
	}{
		{name: "newest compatible", sel: Selection{}, want: "1.2.0"},
		{name: "constraint", sel: Selection{Constraint: "~1.0"}, want: "1.0.0"},
		{name: "locked version kept", sel: Selection{Constraint: ">=1.0", Prefer: "1.0.0"}, want: "1.0.0"},
		{name: "locked version outside the constraint", sel: Selection{Constraint: ">=1.1", Prefer: "1.0.0"}, want: "1.2.0"},
		{name: "pre-release only when asked", sel: Selection{Constraint: ">=1.3.0-rc.1, <1.4"}, want: "1.3.0-rc.1"},
		{name: "other platform", sel: Selection{Platform: "darwin_arm64"}, want: "1.4.0"},
		{name: "any platform", sel: Selection{Platform: "linux_riscv64"}, want: "0.9.0"},
		{name: "protocol 2 host", sel: Selection{Protocols: []int{2}}, want: "2.0.0"},
		{name: "nothing satisfies", sel: Selection{Constraint: "^3"}, err: `nothing satisfies "^3"`},
		{name: "only an incompatible protocol", sel: Selection{Constraint: "^2"}, err: "2.0.0 speaks protocol [2]. The newest release this sa can run is 1.2.0: ask for output.x@1.2.0"},
		{name: "no archive for the platform", sel: Selection{Constraint: "1.4.0"}, err: "1.4.0 has no archive for linux_amd64 (only darwin_arm64)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.sel.Platform == "" {
				tt.sel.Platform = "linux_amd64"
			}
			if tt.sel.Protocols == nil {
				tt.sel.Protocols = []int{1}
			}
			got, err := Select(p, tt.sel)
			if tt.err != "" {
				if !errors.Is(err, ErrNoVersion) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got.Version != tt.want {
				t.Fatalf("got %v %v, want %s", got, err, tt.want)
			}
		})
	}
}

func TestConfigCheck(t *testing.T) {
	good := FormatPublicKey(make(ed25519.PublicKey, ed25519.PublicKeySize))
	cfg := Config{
		Indexes:     []IndexConfig{{Name: "acme", URL: "http://plugins.example.com/index.json", TokenEnv: "bad name"}, {Name: "acme", URL: "file:///srv/index.json"}},
		TrustedKeys: []TrustedKey{{Key: good}, {Name: "x", Key: "rsa:abc"}},
		Required:    []Requirement{{Name: "output.x", Index: "nosuch", Constraint: "~>banana"}, {Name: "Bad"}},
		Platforms:   []string{"linux", "any"},
		DevOverrides: map[string]string{
			"webhook": "/x", "output.y": "",
		},
	}
	err := cfg.Check()
	for _, want := range []string{
		"plugins.indexes[0].url", "plugins.indexes[0].token_env", `plugins.indexes[1].name: "acme" is used twice`,
		"plugins.trusted_keys[0].name: required", "plugins.trusted_keys[1].key", `plugins.required[0].index: "nosuch"`,
		"plugins.required[0].constraint", "plugins.required[1].name", "plugins.platforms[0]", "plugins.platforms[1]",
		`plugins.dev_overrides: "webhook"`, "plugins.dev_overrides.output.y: empty path",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
	ok := Config{Indexes: []IndexConfig{{Name: "acme", URL: "https://x/index.json"}}, TrustedKeys: []TrustedKey{{Name: "acme", Key: good}},
		Required: []Requirement{{Name: "webhook", Index: "acme", Constraint: "^1.2"}}, Platforms: []string{"linux_amd64"}}
	if err := ok.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestSignatures(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	st := Statement{Address: "output.x", Version: "1.0.0", Platform: "linux_amd64", SHA256: strings.Repeat("a", 64), Hash: "sa1:" + strings.Repeat("b", 64)}
	sig := Sign(priv, st)
	trusting, _ := NewKeyring([]TrustedKey{{Name: "acme", Key: FormatPublicKey(pub)}})
	if v, err := trusting.Verify(st, sig); err != nil || v.Trust != Trusted || v.Publisher != "acme" {
		t.Fatalf("%+v %v", v, err)
	}
	// Every field is covered: changing any breaks the signature.
	for name, change := range map[string]func(s *Statement){
		"address":  func(s *Statement) { s.Address = "app.x" },
		"version":  func(s *Statement) { s.Version = "1.0.1" },
		"platform": func(s *Statement) { s.Platform = "darwin_arm64" },
		"sha256":   func(s *Statement) { s.SHA256 = strings.Repeat("c", 64) },
		"hash":     func(s *Statement) { s.Hash = "sa1:" + strings.Repeat("d", 64) },
	} {
		s := st
		change(&s)
		if _, err := trusting.Verify(s, sig); !errors.Is(err, ErrSignature) {
			t.Errorf("%s changed: %v", name, err)
		}
	}
	forged := Sign(other, st)
	forged.KeyID = sig.KeyID
	if _, err := trusting.Verify(st, forged); !errors.Is(err, ErrSignature) {
		t.Errorf("forged key id: %v", err)
	}
	if _, err := trusting.Verify(st, &Signature{KeyID: sig.KeyID, Value: "!!"}); !errors.Is(err, ErrSignature) {
		t.Errorf("garbage signature: %v", err)
	}
	stranger, _ := NewKeyring(nil)
	if v, err := stranger.Verify(st, sig); err != nil || v.Trust != Untrusted || v.Checked {
		t.Errorf("unknown key: %+v %v", v, err)
	}
	stranger.Learn([]IndexKey{{ID: KeyID(pub), Key: FormatPublicKey(pub)}})
	if v, err := stranger.Verify(st, sig); err != nil || v.Trust != Untrusted || !v.Checked {
		t.Errorf("published key: %+v %v", v, err)
	}
	if _, err := stranger.Verify(st, forged); !errors.Is(err, ErrSignature) {
		t.Errorf("a published key does not check: %v", err)
	}
	for _, tt := range []struct {
		p   Policy
		v   Verification
		err error
	}{
		{Policy{}, Verification{Trust: Unsigned}, ErrUnsigned},
		{Policy{AllowUntrusted: true}, Verification{Trust: Unsigned}, ErrUnsigned},
		{Policy{AllowUnsigned: true}, Verification{Trust: Untrusted}, ErrUntrusted},
		{Policy{AllowUnsigned: true}, Verification{Trust: Unsigned}, nil},
		{Policy{}, Verification{Trust: Trusted}, nil},
	} {
		if err := tt.p.Check("x", tt.v); !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
			t.Errorf("%+v %+v: %v, want %v", tt.p, tt.v, err, tt.err)
		}
	}
}

func TestKeyFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "acme.key")
	pub, err := GenerateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := GenerateKey(path); err == nil {
		t.Fatal("an existing key was overwritten")
	}
	priv, err := ReadPrivateKey(path)
	if err != nil || !pub.Equal(priv.Public()) {
		t.Fatalf("%v", err)
	}
	pubText, _ := os.ReadFile(path + ".pub")
	if got, err := ParsePublicKey(string(pubText)); err != nil || !got.Equal(pub) {
		t.Fatalf("%s: %v", pubText, err)
	}
	os.Chmod(path, 0o644)
	if _, err := ReadPrivateKey(path); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Errorf("a world-readable key was used: %v", err)
	}
}

func TestArchiveHashMatchesDisk(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{"plugin.json": "{}", "bin": "#!x", "gen/sa/a.py": "1", "gen/b.py": "2"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(data), 0o644)
	}
	os.Chmod(filepath.Join(dir, "bin"), 0o755)
	var a1, a2 bytes.Buffer
	h1, err := WriteArchive(dir, &a1)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := WriteArchive(dir, &a2)
	if !bytes.Equal(a1.Bytes(), a2.Bytes()) || h1 != h2 {
		t.Fatal("archives are not reproducible")
	}
	disk, _ := lockfile.HashDir(dir)
	c, err := ReadArchive(ctx(t), bytes.NewReader(a1.Bytes()), DefaultLimits)
	if err != nil || c.Hash != h1 || disk != h1 || string(c.Manifest) != "{}" {
		t.Fatalf("archive %s, read %+v %v, disk %s", h1, c, err, disk)
	}
	out := t.TempDir()
	got, err := Unpack(ctx(t), bytes.NewReader(a1.Bytes()), out, DefaultLimits)
	if err != nil || got != h1 {
		t.Fatalf("unpacked %s %v", got, err)
	}
	if fi, _ := os.Stat(filepath.Join(out, "bin")); fi.Mode().Perm() != 0o755 {
		t.Errorf("bin mode %v", fi.Mode())
	}
	if fi, _ := os.Stat(filepath.Join(out, "gen/b.py")); fi.Mode().Perm() != 0o644 {
		t.Errorf("b.py mode %v", fi.Mode())
	}
}

func TestUnsafeArchives(t *testing.T) {
	tests := []struct {
		name    string
		entries []entry
		want    string
	}{
		{"dot-slash names are fine", []entry{{name: "./plugin.json", body: "{}"}, {name: "./", typ: tar.TypeDir}}, ""},
		{"duplicate", []entry{{name: "a", body: "1"}, {name: "a", body: "2"}}, "appears twice"},
		{"file inside a file", []entry{{name: "a", body: "1"}, {name: "a/b", body: "2"}}, "inside file a"},
		{"dot-dot inside", []entry{{name: "a/../../b", body: "1"}}, "not clean"},
		{"device", []entry{{name: "d", typ: tar.TypeChar}}, "is a device"},
		{"fifo", []entry{{name: "f", typ: tar.TypeFifo}}, "is a FIFO"},
		{"backslash", []entry{{name: `..\x`, body: "1"}}, "backslash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Unpack(ctx(t), bytes.NewReader(craft(t, tt.entries)), t.TempDir(), DefaultLimits)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrUnsafe) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
	lim := DefaultLimits
	lim.Files = 2
	if _, err := ReadArchive(ctx(t), bytes.NewReader(craft(t, []entry{{name: "a"}, {name: "b"}, {name: "c"}})), lim); !errors.Is(err, ErrUnsafe) {
		t.Errorf("too many files: %v", err)
	}
	if _, err := ReadArchive(ctx(t), strings.NewReader("not gzip"), DefaultLimits); !errors.Is(err, ErrUnsafe) {
		t.Errorf("not an archive: %v", err)
	}
}

func TestParseIndexReportsEveryProblem(t *testing.T) {
	data := `{"format":"sa-plugin-index/v1","keys":[{"id":"00","key":"ed25519:` + strings.Repeat("A", 43) + `="}],
	"plugins":[{"name":"X","kind":"notifier","versions":[{"version":"1.0","protocols":[],"archives":[{"platform":"linux","url":"","sha256":"z","hash":"h1:x"}]}]},
	{"name":"y","kind":"app","versions":[{"version":"1.0.0","protocols":[1],"archives":[]},{"version":"1.0.0","protocols":[1],"archives":[]}]},
	{"name":"y","kind":"app","versions":[]}]}`
	_, err := ParseIndex("idx", []byte(data))
	for _, want := range []string{
		"keys[0].id", "plugins[0].name", "plugins[0].kind", "plugins[0].versions[0].version", "plugins[0].versions[0].protocols: empty",
		"archives[0].platform", "archives[0].url: empty", "archives[0].sha256", "archives[0].hash", "plugins[1].versions[1].version: 1.0.0 is listed twice",
		"plugins[2]: app.y is listed twice",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q: %v", want, err)
		}
	}
}

func FuzzParseIndex(f *testing.F) {
	ix := &Index{}
	ix.Add(IndexPlugin{Name: "x", Kind: "output"}, "1.0.0", []int{1}, Archive{Platform: "any", URL: "x.tar.gz", SHA256: strings.Repeat("a", 64), Hash: "sa1:" + strings.Repeat("b", 64)})
	f.Add(must(ix.Marshal()))
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := ParseIndex("fuzz", data)
		if err != nil {
			return
		}
		out, err := ix.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseIndex("again", out); err != nil {
			t.Fatalf("a valid index does not read back: %v", err)
		}
	})
}

func FuzzReadArchive(f *testing.F) {
	var buf bytes.Buffer
	dir := f.TempDir()
	os.WriteFile(filepath.Join(dir, "plugin.json"), []byte("{}"), 0o644)
	WriteArchive(dir, &buf)
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{Archive: 1 << 20, Total: 1 << 20, Files: 100}
		c, err := ReadArchive(t.Context(), bytes.NewReader(data), lim)
		if err != nil {
			return
		}
		out := t.TempDir()
		h, err := Unpack(t.Context(), bytes.NewReader(data), out, lim)
		if err != nil || h != c.Hash {
			t.Fatalf("read %s, unpacked %s: %v", c.Hash, h, err)
		}
		if disk, err := lockfile.HashDir(out); err != nil || disk != h {
			t.Fatalf("disk %s: %v", disk, err)
		}
	})
}
