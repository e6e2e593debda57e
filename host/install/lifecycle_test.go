package install

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/install/lockfile"
	"github.com/streamalert-go/sa/host/pluginhost"
)

// setup serves twoReleases and returns an installer config trusting them.
func setup(t *testing.T) (*publisher, *server, Config) {
	t.Helper()
	pub := twoReleases(t)
	srv := serve(t, pub.dir)
	return pub, srv, Config{Indexes: []IndexConfig{srv.index("acme")}, TrustedKeys: []TrustedKey{pub.trusted("acme")}}
}

func install(t *testing.T, in *Installer, names ...string) []*Result {
	t.Helper()
	var reqs []Request
	for _, n := range names {
		reqs = append(reqs, Request{Name: mustName(t, n)})
	}
	res, err := in.Install(ctx(t), reqs)
	if err != nil {
		t.Fatalf("install %v: %v", names, err)
	}
	return res
}

func TestTrustTiers(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(ix *Index)
		trusted bool
		policy  Policy
		trust   Trust
		shown   string
		key     bool
	}{
		{name: "trusted publisher", trusted: true, trust: Trusted, shown: "signed by trusted publisher acme (key ", key: true},
		{name: "unknown key, published by the index", policy: Policy{AllowUntrusted: true}, trust: Untrusted, shown: "valid signature, but the key is not in plugins.trusted_keys", key: true},
		{name: "unknown key, not published", edit: func(ix *Index) { ix.Keys = nil }, policy: Policy{AllowUntrusted: true}, trust: Untrusted, shown: "the signature is unchecked", key: true},
		{name: "unsigned", edit: func(ix *Index) { archiveOf(ix, "0.1.0").Signature = nil }, trusted: true, policy: Policy{AllowUnsigned: true}, trust: Unsigned, shown: ": unsigned"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub, srv, cfg := setup(t)
			if tt.edit != nil {
				pub.editIndex(t, tt.edit)
			}
			if !tt.trusted {
				cfg.TrustedKeys = nil
			}
			home := t.TempDir()
			in, out := newInstaller(t, home, cfg, tt.policy)
			res := install(t, in, "output.file@0.1.0")
			if res[0].Verification.Trust != tt.trust || !strings.Contains(out.String(), tt.shown) {
				t.Errorf("trust %v, output %q; want %v and %q", res[0].Verification.Trust, out, tt.trust, tt.shown)
			}
			if got := readLock(t, home).Plugins["output.file"].SigningKey; (got != "") != tt.key {
				t.Errorf("lock signing_key %q", got)
			}
			_ = srv
		})
	}
}

func TestReadOnlyLock(t *testing.T) {
	pub, _, cfg := setup(t)
	otherPlatform(t, pub, "linux_arm64")
	home := t.TempDir()
	in, _ := newInstaller(t, home, cfg, Policy{})
	install(t, in, "output.file@0.1.0")
	lockData, _ := os.ReadFile(filepath.Join(home, lockfile.Name))

	ro := func(home string) *Installer {
		in, err := New(Options{Home: home, Config: withCache(cfg, home), ReadOnlyLock: true, Out: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	// CI: a fresh checkout with sa.lock installs exactly what it pins.
	ci := t.TempDir()
	os.WriteFile(filepath.Join(ci, lockfile.Name), lockData, 0o644)
	res, err := ro(ci).InstallAll(ctx(t))
	if err != nil || len(res) != 1 || res[0].Version != "0.1.0" {
		t.Fatalf("install from the lock: %v %+v", err, res)
	}
	if _, err := send(t, ci, "output.file", fileCfg); err != nil {
		t.Fatal(err)
	}

	changes := []struct {
		name string
		do   func(in *Installer) error
		msg  string
	}{
		{"another version", func(in *Installer) error {
			_, err := in.Install(ctx(t), []Request{{Name: mustName(t, "output.file@0.2.0")}})
			return err
		}, "output.file: version 0.1.0 would become 0.2.0"},
		{"another constraint", func(in *Installer) error {
			_, err := in.Install(ctx(t), []Request{{Name: mustName(t, "output.file@>=0.1.0, <0.2.0")}})
			return err
		}, `constraint "0.1.0" would become ">=0.1.0, <0.2.0"`},
		{"removal", func(in *Installer) error { _, err := in.Remove(ctx(t), "file"); return err }, "output.file would be removed"},
		{"another platform", func(in *Installer) error { return in.Lock(ctx(t), []string{"linux_arm64"}, nil) }, "linux_arm64"},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			err := c.do(ro(ci))
			if !errors.Is(err, ErrLockfile) || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "--lockfile=readonly") && c.name != "another platform" {
				t.Fatalf("error %v, want sa.lock would change: %s", err, c.msg)
			}
			if now, _ := os.ReadFile(filepath.Join(ci, lockfile.Name)); string(now) != string(lockData) {
				t.Fatal("sa.lock changed")
			}
			if _, err := os.Stat(filepath.Join(ci, "plugins", "output", "file", "0.2.0")); err == nil {
				t.Fatal("0.2.0 was installed")
			}
			if _, err := os.Stat(filepath.Join(ci, "plugins", "output", "file", "0.1.0", "plugin.json")); err != nil {
				t.Fatal("0.1.0 is gone")
			}
		})
	}
}

func withCache(cfg Config, home string) Config {
	cfg.CacheDir = filepath.Join(home, "cache")
	return cfg
}

// TestLockDetectsChangedRelease: an index that serves other contents for
// a locked version is refused, in any lock mode.
func TestLockDetectsChangedRelease(t *testing.T) {
	pub, _, cfg := setup(t)
	home := t.TempDir()
	in, _ := newInstaller(t, home, cfg, Policy{})
	install(t, in, "output.file@0.1.0")
	os.RemoveAll(filepath.Join(home, "plugins"))
	// Re-release 0.1.0 with another description, properly signed.
	m := manifestOf(t, &Packaged{Archive: filepath.Join(pub.dir, ArchiveName("output.file", "0.1.0", lockfile.Platform()))})
	m.Description = "the same version, rebuilt"
	mf := filepath.Join(t.TempDir(), "plugin.json")
	os.WriteFile(mf, must(jsonIndent(m)), 0o644)
	pub.release(t, fileOutput(t), PackageOptions{ManifestFrom: mf})

	in, _ = newInstaller(t, home, cfg, Policy{})
	_, err := in.InstallAll(ctx(t))
	if !errors.Is(err, ErrLockfile) || !strings.Contains(err.Error(), "the same version now has different contents") {
		t.Fatalf("error %v", err)
	}
}

func TestUpgradeAndRemove(t *testing.T) {
	_, _, cfg := setup(t)
	home := t.TempDir()
	in, _ := newInstaller(t, home, cfg, Policy{})
	install(t, in, "output.file@0.1.0")

	res, err := in.Upgrade(ctx(t), nil)
	if err != nil || res[0].Action != "up to date" || res[0].Version != "0.1.0" {
		t.Fatalf("upgrade within 0.1.0: %v %+v", err, res)
	}
	cfg.Required = []Requirement{{Name: "output.file", Constraint: ">= 0.1"}}
	in, out := newInstaller(t, home, cfg, Policy{})
	res, err = in.Upgrade(ctx(t), []string{"file"})
	if err != nil || res[0].Action != "upgraded" || res[0].Previous != "0.1.0" || res[0].Version != "0.2.0" {
		t.Fatalf("upgrade: %v %+v", err, res)
	}
	if !strings.Contains(out.String(), "upgraded output.file 0.1.0 -> 0.2.0") {
		t.Errorf("output %q", out)
	}
	if e := readLock(t, home).Plugins["output.file"]; e.Version != "0.2.0" || e.Constraint != ">= 0.1" {
		t.Errorf("lock %+v", e)
	}
	versions, _ := os.ReadDir(filepath.Join(home, "plugins", "output", "file"))
	if len(versions) != 1 || versions[0].Name() != "0.2.0" {
		t.Errorf("installed versions %v, want only 0.2.0", versions)
	}

	if _, err := in.Remove(ctx(t), "output.file"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(home, "plugins", "output", "file")); !os.IsNotExist(err) {
		t.Errorf("plugin directory left: %v", err)
	}
	if len(readLock(t, home).Plugins) != 0 {
		t.Error("lock entry left")
	}
	if _, err := in.Remove(ctx(t), "output.file"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second remove: %v", err)
	}
}

// otherPlatform adds an archive of output.file 0.1.0 for another platform.
func otherPlatform(t *testing.T, pub *publisher, platform string) *Packaged {
	t.Helper()
	m := manifestOf(t, &Packaged{Archive: filepath.Join(pub.dir, ArchiveName("output.file", "0.1.0", lockfile.Platform()))})
	mf := filepath.Join(t.TempDir(), "plugin.json")
	os.WriteFile(mf, must(jsonIndent(m)), 0o644)
	bin := filepath.Join(t.TempDir(), "sa-output-file")
	os.WriteFile(bin, []byte("a build for "+platform), 0o755)
	return pub.release(t, bin, PackageOptions{Platform: platform, ManifestFrom: mf})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestLockPlatforms(t *testing.T) {
	pub, _, cfg := setup(t)
	arm := otherPlatform(t, pub, "darwin_arm64")
	home := t.TempDir()
	in, out := newInstaller(t, home, cfg, Policy{})
	install(t, in, "output.file@0.1.0")
	if err := in.Lock(ctx(t), []string{"darwin_arm64"}, nil); err != nil {
		t.Fatal(err)
	}
	e := readLock(t, home).Plugins["output.file"]
	if e.Hashes["darwin_arm64"] != arm.Hash || e.Hashes[lockfile.Platform()] == "" {
		t.Fatalf("hashes %v", e.Hashes)
	}
	if !strings.Contains(out.String(), "locked output.file 0.1.0 for darwin_arm64") {
		t.Errorf("output %q", out)
	}
	// Locking again changes nothing; a platform without a build is named.
	before, _ := os.ReadFile(filepath.Join(home, lockfile.Name))
	if err := in.Lock(ctx(t), []string{"darwin_arm64"}, []string{"file"}); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(filepath.Join(home, lockfile.Name)); string(after) != string(before) {
		t.Error("relocking changed the lock")
	}
	if err := in.Lock(ctx(t), []string{"windows_amd64"}, nil); err == nil || !strings.Contains(err.Error(), "has no archive for windows_amd64") {
		t.Errorf("missing platform: %v", err)
	}

	// With plugins.platforms, an install locks them all at once.
	cfg.Platforms = []string{"darwin_arm64"}
	home2 := t.TempDir()
	in, _ = newInstaller(t, home2, cfg, Policy{})
	install(t, in, "output.file@0.1.0")
	if got := readLock(t, home2).Plugins["output.file"].Platforms(); !slices.Equal(got, []string{"darwin_arm64", lockfile.Platform()}) {
		t.Errorf("platforms %v", got)
	}
}

func TestMirrorServesAnAirGappedSite(t *testing.T) {
	pub, srv, cfg := setup(t)
	otherPlatform(t, pub, "darwin_arm64")
	home := t.TempDir()
	in, _ := newInstaller(t, home, cfg, Policy{})
	install(t, in, "output.file@0.1.0")
	if err := in.Lock(ctx(t), []string{"darwin_arm64"}, nil); err != nil {
		t.Fatal(err)
	}
	mirrorDir := t.TempDir()
	u, err := in.Mirror(ctx(t), mirrorDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()

	offline := t.TempDir()
	lockData, _ := os.ReadFile(filepath.Join(home, lockfile.Name))
	os.WriteFile(filepath.Join(offline, lockfile.Name), lockData, 0o644)
	ocfg := Config{Indexes: []IndexConfig{{Name: "acme", URL: u}}, TrustedKeys: cfg.TrustedKeys}
	in, out := newInstaller(t, offline, ocfg, Policy{})
	res, err := in.InstallAll(ctx(t))
	if err != nil || len(res) != 1 || res[0].Verification.Trust != Trusted {
		t.Fatalf("install from the mirror: %v %+v\n%s", err, res, out)
	}
	ix, err := readIndexFile(filepath.Join(mirrorDir, IndexFile))
	if err != nil || len(ix.Plugins) != 1 || len(ix.Plugins[0].Versions) != 1 || len(ix.Plugins[0].Versions[0].Archives) != 2 || len(ix.Keys) != 1 {
		t.Fatalf("mirror index %+v: %v", ix, err)
	}
	if _, err := send(t, offline, "output.file", fileCfg); err != nil {
		t.Fatal(err)
	}
}

func TestInstallFromPathAndURL(t *testing.T) {
	pub, srv, cfg := setup(t)
	archive := filepath.Join(pub.dir, ArchiveName("output.file", "0.1.0", lockfile.Platform()))

	t.Run("signed archive by path", func(t *testing.T) {
		home := t.TempDir()
		in, _ := newInstaller(t, home, cfg, Policy{})
		res, err := in.InstallSource(ctx(t), archive)
		if err != nil || res.Verification.Trust != Trusted {
			t.Fatalf("%v %+v", err, res)
		}
		if e := readLock(t, home).Plugins["output.file"]; e.Source != archive || e.Index != "" {
			t.Errorf("lock %+v", e)
		}
		// On a fresh machine the lock alone reinstalls it from the path.
		os.RemoveAll(filepath.Join(home, "plugins"))
		if _, err := in.InstallAll(ctx(t)); err != nil {
			t.Fatal(err)
		}
		if _, err := send(t, home, "output.file", fileCfg); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("archive without a signature file", func(t *testing.T) {
		bare := filepath.Join(t.TempDir(), "x.tar.gz")
		os.WriteFile(bare, must(os.ReadFile(archive)), 0o644)
		in, _ := newInstaller(t, t.TempDir(), cfg, Policy{})
		if _, err := in.InstallSource(ctx(t), bare); !errors.Is(err, ErrUnsigned) {
			t.Fatalf("error %v", err)
		}
		in, _ = newInstaller(t, t.TempDir(), cfg, Policy{AllowUnsigned: true})
		if res, err := in.InstallSource(ctx(t), bare); err != nil || res.Address != "output.file" || res.Verification.Trust != Unsigned {
			t.Fatalf("%v %+v", err, res)
		}
	})
	t.Run("signed archive by URL", func(t *testing.T) {
		cfg := cfg
		in, _ := newInstaller(t, t.TempDir(), cfg, Policy{})
		in.fetch.clients[""] = must(in.fetch.client(srv.caFile))
		res, err := in.InstallSource(ctx(t), srv.URL+"/"+filepath.Base(archive))
		if err != nil || res.Verification.Trust != Trusted {
			t.Fatalf("%v %+v", err, res)
		}
	})
	t.Run("plugin directory", func(t *testing.T) {
		home := t.TempDir()
		in, _ := newInstaller(t, home, cfg, Policy{})
		install(t, in, "output.file@0.1.0")
		in2, _ := newInstaller(t, t.TempDir(), cfg, Policy{AllowUnsigned: true})
		res, err := in2.InstallSource(ctx(t), in.VersionDir("output.file", "0.1.0"))
		if err != nil || res.Verification.Trust != Unsigned {
			t.Fatalf("%v %+v", err, res)
		}
	})
	t.Run("http is refused", func(t *testing.T) {
		in, _ := newInstaller(t, t.TempDir(), cfg, Policy{AllowUnsigned: true})
		if _, err := in.InstallSource(ctx(t), "http://example.com/x.tar.gz"); err == nil || !strings.Contains(err.Error(), "https://") {
			t.Fatalf("error %v", err)
		}
	})
}

// TestKilledInstallLeavesNoTrace: what a kill at the worst moments leaves
// behind (a half-unpacked staging directory; a new version moved into
// place before the lock was written) is ignored by the host and swept by
// the next installer run.
func TestKilledInstallLeavesNoTrace(t *testing.T) {
	_, _, cfg := setup(t)
	home := t.TempDir()
	in, _ := newInstaller(t, home, cfg, Policy{})
	install(t, in, "output.file@0.1.0")
	root := filepath.Join(home, "plugins")
	staged := filepath.Join(root, ".staging", "output-file-0.2.0-1234")
	os.MkdirAll(staged, 0o755)
	os.WriteFile(filepath.Join(staged, "plugin.json"), must(os.ReadFile(filepath.Join(root, "output/file/0.1.0/plugin.json"))), 0o644)
	os.WriteFile(filepath.Join(staged, "sa-output-file"), []byte("half a bin"), 0o755)
	unlocked := filepath.Join(root, "output", "file", "0.2.0")
	if _, err := Unpack(ctx(t), must(os.Open(filepath.Join(twoReleases(t).dir, ArchiveName("output.file", "0.2.0", lockfile.Platform())))), mkdir(t, unlocked), DefaultLimits); err != nil {
		t.Fatal(err)
	}

	h := pluginhost.New(pluginhost.Options{Dirs: []string{root}, Logger: slog.New(slog.DiscardHandler)})
	p, ok := h.Plugin("output.file")
	if len(h.Problems()) > 0 || !ok || p.Manifest.Version != "0.1.0" {
		t.Fatalf("host sees %v, problems %v", p, h.Problems())
	}
	h.Close()
	if _, err := send(t, home, "output.file", fileCfg); err != nil {
		t.Fatal(err)
	}
	in, _ = newInstaller(t, home, cfg, Policy{})
	install(t, in, "output.file")
	if _, err := os.Stat(unlocked); !os.IsNotExist(err) {
		t.Errorf("the unlocked version is still there: %v", err)
	}
	if p := partials(t, home); len(p) > 0 {
		t.Errorf("staged files left: %v", p)
	}
}

func mkdir(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
