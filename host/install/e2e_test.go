package install

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/install/lockfile"
	"github.com/streamalert-go/sa/host/pluginhost"
)

// TestInstallFromIndexEndToEnd publishes the file output (Go) and the
// Python example as signed releases, serves them from an HTTPS index,
// installs both, sends an alert through each, and checks the lock, the
// cache and the refusal of a tampered install.
func TestInstallFromIndexEndToEnd(t *testing.T) {
	pub := newPublisher(t)
	goRel := pub.release(t, fileOutput(t), PackageOptions{License: "Apache-2.0", Source: "https://example.com/sa-output-file"})
	srv := serve(t, pub.dir)
	cfg := Config{Indexes: []IndexConfig{srv.index("acme")}, TrustedKeys: []TrustedKey{pub.trusted("acme")}}
	home := t.TempDir()
	in, out := newInstaller(t, home, cfg, Policy{})

	res, err := in.Install(ctx(t), []Request{{Name: mustName(t, "file@^0.1")}})
	if err != nil {
		t.Fatalf("install: %v\n%s", err, out)
	}
	if len(res) != 1 || res[0].Address != "output.file" || res[0].Verification.Trust != Trusted || res[0].Action != "installed" {
		t.Fatalf("result %+v", res)
	}
	if !strings.Contains(out.String(), "signed by trusted publisher acme") {
		t.Errorf("output does not show the trust tier:\n%s", out)
	}
	l := readLock(t, home)
	e := l.Plugins["output.file"]
	if e == nil || e.Version != goRel.Version || e.Constraint != "^0.1" || e.Index != "acme" || e.Hashes[lockfile.Platform()] != goRel.Hash {
		t.Fatalf("lock entry %+v, release %+v", e, goRel)
	}
	dir := in.VersionDir("output.file", goRel.Version)
	if err := lockfile.VerifyDir(dir, goRel.Hash); err != nil {
		t.Fatalf("installed tree: %v", err)
	}
	line, err := send(t, home, "output.file", fileCfg)
	if err != nil || !strings.Contains(line, `"id":"a1"`) {
		t.Fatalf("send through the installed plugin: %v %q", err, line)
	}

	// Installing again downloads nothing: the lock pins what is installed.
	before := srv.count("/" + filepath.Base(goRel.Archive))
	res, err = in.Install(ctx(t), []Request{{Name: mustName(t, "output.file")}})
	if err != nil || res[0].Action != "up to date" || srv.count("/"+filepath.Base(goRel.Archive)) != before {
		t.Fatalf("second install: %v %+v", err, res)
	}

	// A file changed after install: the host refuses to start the plugin
	// even when the manifest was rewritten to match, since the lock's
	// tree hash covers the manifest too.
	exe := filepath.Join(dir, "sa-output-file")
	appendTo(t, exe, "tampered")
	m, err := pluginhost.ReadManifest(filepath.Join(dir, pluginhost.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	m.SHA256, _ = pluginhost.FileSHA256(exe)
	if err := pluginhost.WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	_, err = send(t, home, "output.file", fileCfg)
	if !errors.Is(err, pluginhost.ErrChecksum) || !strings.Contains(err.Error(), "sa.lock") {
		t.Fatalf("tampered plugin started: %v", err)
	}

	// Reinstalling repairs it from the cache, swapping the version in place.
	res, err = in.Install(ctx(t), []Request{{Name: mustName(t, "output.file")}})
	if err != nil || res[0].Action != "reinstalled" || srv.count("/"+filepath.Base(goRel.Archive)) != before {
		t.Fatalf("repair: %v %+v", err, res)
	}
	if _, err := send(t, home, "output.file", fileCfg); err != nil {
		t.Fatalf("after repair: %v", err)
	}
	if p := partials(t, home); len(p) > 0 {
		t.Errorf("partial files left: %v", p)
	}
}

func TestInstallPythonPluginFromIndex(t *testing.T) {
	dir := pythonPlugin(t)
	pub := newPublisher(t)
	rel := pub.release(t, dir, PackageOptions{})
	if rel.Platform != lockfile.Any || rel.Address != "output.python-example" {
		t.Fatalf("release %+v", rel)
	}
	srv := serve(t, pub.dir)
	home := t.TempDir()
	in, out := newInstaller(t, home, Config{Indexes: []IndexConfig{srv.index("acme")}, TrustedKeys: []TrustedKey{pub.trusted("acme")}}, Policy{})
	if _, err := in.Install(ctx(t), []Request{{Name: mustName(t, "python-example")}}); err != nil {
		t.Fatalf("install: %v\n%s", err, out)
	}
	if h := readLock(t, home).Plugins["output.python-example"].Hashes[lockfile.Any]; h != rel.Hash {
		t.Fatalf("lock hash %q, release %q", h, rel.Hash)
	}
	line, err := send(t, home, "output.python-example", map[string]any{"api_token": "tok_3b1f9a77c2d04e51"})
	if err != nil || !strings.Contains(line, `"id": "a1"`) && !strings.Contains(line, `"id":"a1"`) {
		t.Fatalf("send through the installed Python plugin: %v %q", err, line)
	}
	// The generated stubs are part of the release and of its hash.
	installed := in.VersionDir("output.python-example", rel.Version)
	appendTo(t, filepath.Join(installed, "gen", "sa", "plugin", "v1", "output_pb2.py"), "\n# changed\n")
	if _, err := send(t, home, "output.python-example", map[string]any{"api_token": "tok_3b1f9a77c2d04e51"}); !errors.Is(err, pluginhost.ErrChecksum) {
		t.Fatalf("changed stub accepted: %v", err)
	}
}

func mustName(t *testing.T, s string) Name {
	t.Helper()
	n, err := ParseName(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func appendTo(t *testing.T, path, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
}

// fileCfg is what the file output needs beside its path.
var fileCfg = map[string]any{"descriptor": "e2e"}
