package install

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/streamalert-go/sa/host/install/lockfile"
	"github.com/streamalert-go/sa/host/pluginhost"
)

// releases is a publisher directory holding output.file 0.1.0 and a 0.2.0
// made from the same binary, built once and copied for each case.
var releases struct {
	once sync.Once
	dir  string
	key  ed25519.PrivateKey
	err  error
}

func twoReleases(t *testing.T) *publisher {
	t.Helper()
	releases.once.Do(func() {
		pub := &publisher{dir: filepath.Join(os.TempDir(), "sa-install-releases-"+hex.EncodeToString(randBytes(6)))}
		_, pub.key, _ = ed25519.GenerateKey(rand.Reader)
		first := pub.release(t, fileOutput(t), PackageOptions{})
		// 0.2.0: the same binary with its manifest saying 0.2.0. It is never
		// started: every case below stops it before it is placed.
		m := manifestOf(t, first)
		m.Version = "0.2.0"
		mf := filepath.Join(t.TempDir(), "plugin.json")
		data, _ := json.Marshal(m)
		os.WriteFile(mf, data, 0o644)
		pub.release(t, fileOutput(t), PackageOptions{ManifestFrom: mf})
		releases.dir, releases.key = pub.dir, pub.key
	})
	if releases.dir == "" {
		t.Fatal("building the releases failed")
	}
	pub := &publisher{key: releases.key, dir: t.TempDir()}
	entries, _ := os.ReadDir(releases.dir)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(releases.dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(pub.dir, e.Name()), data, 0o644)
	}
	return pub
}

func TestMain(m *testing.M) {
	code := m.Run()
	if releases.dir != "" {
		os.RemoveAll(releases.dir)
	}
	os.Exit(code)
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func manifestOf(t *testing.T, rel *Packaged) *pluginhost.Manifest {
	t.Helper()
	f, err := os.Open(rel.Archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := ReadArchive(ctx(t), f, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseManifest(c.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// entry is one member of a hand-made archive.
type entry struct {
	name, body, link string
	typ              byte
}

func craft(t *testing.T, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		hdr := &tar.Header{Name: e.name, Typeflag: typ, Mode: 0o755, Size: int64(len(e.body)), Linkname: e.link}
		if typ != tar.TypeReg {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(e.body))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// addCrafted publishes a hand-made archive as output.file 0.3.0, unsigned.
func addCrafted(t *testing.T, pub *publisher, data []byte) {
	t.Helper()
	name := "crafted.tar.gz"
	os.WriteFile(filepath.Join(pub.dir, name), data, 0o644)
	sum := sha256.Sum256(data)
	pub.editIndex(t, func(ix *Index) {
		ix.Add(IndexPlugin{Name: "file", Kind: "output"}, "0.3.0", []int{1}, Archive{
			Platform: lockfile.Platform(), URL: name, SHA256: hex.EncodeToString(sum[:]), Hash: "sa1:" + strings.Repeat("0", 64),
		})
	})
}

// archiveOf returns the index entry of a release's archive.
func archiveOf(ix *Index, version string) *Archive {
	v, _ := ix.Plugins[0].Version(version)
	a, _ := v.Archive(lockfile.Platform())
	return a
}

// TestBadInput: every kind of bad input fails with a clear error, leaves
// the installed 0.1.0 working and the lock unchanged, and leaves no
// partial files in the plugin directory.
func TestBadInput(t *testing.T) {
	manifest := `{"name":"file","kind":"output","version":"0.3.0","protocols":[1],"executable":"x","sha256":"` + strings.Repeat("0", 64) + `"}`
	tests := []struct {
		name    string
		want    string // what to install
		policy  Policy
		prepare func(t *testing.T, pub *publisher, srv *server, in *Installer)
		err     error
		msg     string
	}{
		{name: "tampered archive", want: "output.file@0.2.0", prepare: func(t *testing.T, pub *publisher, _ *server, _ *Installer) {
			path := filepath.Join(pub.dir, ArchiveName("output.file", "0.2.0", lockfile.Platform()))
			data, _ := os.ReadFile(path)
			data[len(data)/2] ^= 0xff
			os.WriteFile(path, data, 0o644)
		}, err: ErrChecksum, msg: "the index says"},
		{name: "wrong signature", want: "output.file@0.2.0", prepare: func(t *testing.T, pub *publisher, _ *server, _ *Installer) {
			pub.editIndex(t, func(ix *Index) {
				a := archiveOf(ix, "0.2.0")
				a.Signature.Value = archiveOf(ix, "0.1.0").Signature.Value
			})
		}, err: ErrSignature, msg: "by trusted publisher acme does not verify"},
		{name: "index entry with a bad hash", want: "output.file@0.2.0", prepare: func(t *testing.T, pub *publisher, _ *server, _ *Installer) {
			pub.editIndex(t, func(ix *Index) { archiveOf(ix, "0.2.0").SHA256 = strings.Repeat("ab", 32) })
		}, err: ErrSignature},
		{name: "bad hash, unsigned", want: "output.file@0.2.0", policy: Policy{AllowUnsigned: true}, prepare: func(t *testing.T, pub *publisher, _ *server, _ *Installer) {
			pub.editIndex(t, func(ix *Index) {
				a := archiveOf(ix, "0.2.0")
				a.SHA256, a.Signature = strings.Repeat("ab", 32), nil
			})
		}, err: ErrChecksum, msg: "the index says " + strings.Repeat("ab", 32)},
		{name: "malformed hash in the index", want: "output.file@0.2.0", prepare: func(t *testing.T, pub *publisher, _ *server, _ *Installer) {
			pub.editIndex(t, func(ix *Index) { archiveOf(ix, "0.2.0").SHA256 = "not-a-sum" })
		}, msg: `plugins[0].versions[0].archives[0].sha256: "not-a-sum"`},
		{name: "unknown key", want: "output.file@0.2.0", prepare: func(t *testing.T, pub *publisher, _ *server, in *Installer) {
			in.keys, _ = NewKeyring(nil)
		}, err: ErrUntrusted, msg: "--allow-untrusted"},
		{name: "unsigned", want: "output.file@0.2.0", prepare: func(t *testing.T, pub *publisher, _ *server, _ *Installer) {
			pub.editIndex(t, func(ix *Index) { archiveOf(ix, "0.2.0").Signature = nil })
		}, err: ErrUnsigned, msg: "--allow-unsigned"},
		{name: "path traversal", want: "output.file@0.3.0", policy: Policy{AllowUnsigned: true}, prepare: func(t *testing.T, pub *publisher, _ *server, _ *Installer) {
			addCrafted(t, pub, craft(t, []entry{{name: "plugin.json", body: manifest}, {name: "../../escaped", body: "x"}}))
		}, err: ErrUnsafe, msg: "leaves the plugin directory"},
		{name: "absolute path", want: "output.file@0.3.0", policy: Policy{AllowUnsigned: true}, prepare: func(t *testing.T, pub *publisher, _ *server, _ *Installer) {
			addCrafted(t, pub, craft(t, []entry{{name: "/tmp/escaped", body: "x"}}))
		}, err: ErrUnsafe, msg: "absolute path"},
		{name: "symlink", want: "output.file@0.3.0", policy: Policy{AllowUnsigned: true}, prepare: func(t *testing.T, pub *publisher, _ *server, _ *Installer) {
			addCrafted(t, pub, craft(t, []entry{{name: "plugin.json", body: manifest}, {name: "x", typ: tar.TypeSymlink, link: "/etc/passwd"}}))
		}, err: ErrUnsafe, msg: "is a symlink"},
		{name: "hard link", want: "output.file@0.3.0", policy: Policy{AllowUnsigned: true}, prepare: func(t *testing.T, pub *publisher, _ *server, _ *Installer) {
			addCrafted(t, pub, craft(t, []entry{{name: "x", typ: tar.TypeLink, link: "../../y"}}))
		}, err: ErrUnsafe, msg: "hard link"},
		{name: "decompression bomb", want: "output.file@0.3.0", policy: Policy{AllowUnsigned: true}, prepare: func(t *testing.T, pub *publisher, _ *server, in *Installer) {
			in.opts.Limits.Total = 1 << 20
			addCrafted(t, pub, craft(t, []entry{{name: "plugin.json", body: manifest}, {name: "x", body: strings.Repeat("\x00", 2<<20)}}))
		}, err: ErrUnsafe, msg: "unpacks to more than"},
		{name: "no version satisfies the constraint", want: "output.file@^9", err: ErrNoVersion, msg: `nothing satisfies "^9" (the index has 0.2.0, 0.1.0)`},
		{name: "only incompatible protocols", want: "output.file@0.2.0", prepare: func(t *testing.T, pub *publisher, _ *server, in *Installer) {
			in.opts.Protocols = []int{7}
		}, err: ErrNoVersion, msg: "this sa speaks plugin protocol [7]"},
		{name: "index down", want: "output.file@0.2.0", prepare: func(t *testing.T, _ *publisher, srv *server, _ *Installer) {
			srv.Close()
		}, err: ErrUnreachable, msg: "index acme: cannot fetch https://"},
		{name: "kill mid-install", want: "output.file@0.2.0", prepare: func(t *testing.T, _ *publisher, _ *server, in *Installer) {
			in.interrupt = func(rel string) error {
				if rel == "sa-output-file" {
					return errors.New("killed")
				}
				return nil
			}
		}, msg: "unpack: killed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub := twoReleases(t)
			srv := serve(t, pub.dir)
			home := t.TempDir()
			cfg := Config{Indexes: []IndexConfig{srv.index("acme")}, TrustedKeys: []TrustedKey{pub.trusted("acme")}}
			in, out := newInstaller(t, home, cfg, Policy{})
			if _, err := in.Install(ctx(t), []Request{{Name: mustName(t, "output.file@0.1.0")}}); err != nil {
				t.Fatalf("install 0.1.0: %v\n%s", err, out)
			}
			lockBefore, _ := os.ReadFile(filepath.Join(home, lockfile.Name))

			in, _ = newInstaller(t, home, cfg, tt.policy)
			if tt.prepare != nil {
				tt.prepare(t, pub, srv, in)
			}
			_, err := in.Install(ctx(t), []Request{{Name: mustName(t, tt.want)}})
			if err == nil {
				t.Fatal("bad input was installed")
			}
			t.Logf("error: %v", err)
			if tt.err != nil && !errors.Is(err, tt.err) {
				t.Errorf("error %v, want %v", err, tt.err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
			if !strings.Contains(err.Error(), "output.file") && !strings.Contains(err.Error(), "index acme") {
				t.Errorf("error %q names neither the plugin nor the index", err)
			}
			if lockAfter, _ := os.ReadFile(filepath.Join(home, lockfile.Name)); !bytes.Equal(lockBefore, lockAfter) {
				t.Errorf("sa.lock changed:\n%s", lockAfter)
			}
			if p := partials(t, home); len(p) > 0 {
				t.Errorf("partial files left in the plugin directory: %v", p)
			}
			if _, err := os.Stat(filepath.Join(home, "escaped")); err == nil {
				t.Error("a file escaped the plugin directory")
			}
			if line, err := send(t, home, "output.file", fileCfg); err != nil || !strings.Contains(line, "a1") {
				t.Errorf("the previous install no longer works: %v", err)
			}
		})
	}
}
