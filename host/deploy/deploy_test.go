package deploy

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/runtime/embedded"
)

// fakeELF writes a minimal 64-bit Linux executable header for machine:
// enough for debug/elf, never run.
func fakeELF(t *testing.T, path string, machine elf.Machine) {
	t.Helper()
	h := make([]byte, 64)
	copy(h, elf.ELFMAG)
	h[elf.EI_CLASS], h[elf.EI_DATA], h[elf.EI_VERSION] = byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)
	binary.LittleEndian.PutUint16(h[16:], uint16(elf.ET_EXEC))
	binary.LittleEndian.PutUint16(h[18:], uint16(machine))
	binary.LittleEndian.PutUint32(h[20:], uint32(elf.EV_CURRENT))
	binary.LittleEndian.PutUint16(h[52:], 64) // header size
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, h, 0o755); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fakePlugin installs a plugin kind.name with a binary for machine.
func fakePlugin(t *testing.T, dir, kind, name string, machine elf.Machine) {
	t.Helper()
	pdir := filepath.Join(dir, kind, name)
	exe := filepath.Join(pdir, "sa-"+kind+"-"+name)
	fakeELF(t, exe, machine)
	data, _ := os.ReadFile(exe)
	sum := sha256.Sum256(data)
	m := &pluginhost.Manifest{Name: name, Kind: kind, Version: "1.0.0", Protocols: []int{1}, Executable: filepath.Base(exe), SHA256: hex.EncodeToString(sum[:])}
	if err := pluginhost.WriteManifest(pdir, m); err != nil {
		t.Fatal(err)
	}
}

// fixture is a home with sa.yaml, a conf with one cluster reading a
// Kinesis stream and an S3 bucket, rules, an output and an app.
func fixture(t *testing.T, account string) (home, plugins string) {
	t.Helper()
	home, plugins = t.TempDir(), t.TempDir()
	write(t, filepath.Join(home, "sa.yaml"), `listen: 127.0.0.1:9999
outputs:
  slack:soc: {}
apps:
  - name: duo_prod
    cluster: prod
    plugin: duo
    schedule: 10m
`)
	write(t, filepath.Join(home, "conf/global.json"), `{"account": {"aws_account_id": "`+account+`", "prefix": "acme", "region": "eu-west-1"}}`)
	write(t, filepath.Join(home, "conf/clusters/prod.json"), `{"id": "prod", "data_sources": {"kinesis": {"acme_prod_stream": ["cloudtrail"]}, "s3": {"acme-logs": ["cloudtrail"]}, "streamalert_app": {"duo_prod": ["cloudtrail"]}}}`)
	write(t, filepath.Join(home, "conf/schemas/cloudtrail.json"), `{"cloudtrail:events": {"parser": "json", "schema": {"eventName": "string"}}}`)
	write(t, filepath.Join(home, "rules/example.yaml"), "# a rule file\n")
	write(t, filepath.Join(home, "rules/.hidden"), "not packaged\n")
	fakePlugin(t, plugins, "output", "slack", elf.EM_AARCH64)
	fakePlugin(t, plugins, "app", "duo", elf.EM_AARCH64)
	return home, plugins
}

func testOptions(t *testing.T, home, plugins string) Options {
	boot := filepath.Join(t.TempDir(), "bootstrap")
	fakeELF(t, boot, elf.EM_AARCH64)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return Options{Home: home, Source: "../..", Out: t.TempDir(), Bootstrap: boot, PluginDirs: []string{plugins}, Log: log}
}

func zipEntries(t *testing.T, path string) map[string]os.FileMode {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string]os.FileMode{}
	for _, f := range zr.File {
		out[f.Name] = f.Mode().Perm()
	}
	return out
}

func TestBuild(t *testing.T) {
	home, plugins := fixture(t, "123456789012")
	opts := testOptions(t, home, plugins)
	a, err := Build(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	got := zipEntries(t, a.Package)
	for name, mode := range map[string]os.FileMode{
		"bootstrap": 0o755, "sa.yaml": 0o644, "conf/global.json": 0o644, "rules/example.yaml": 0o644,
		"plugins/output/slack/sa-output-slack": 0o755, "plugins/output/slack/plugin.json": 0o644,
		"plugins/app/duo/sa-app-duo": 0o755,
	} {
		if m, ok := got[name]; !ok || m != mode {
			t.Errorf("package entry %s: mode %v present %v, want mode %v", name, m, ok, mode)
		}
	}
	if _, ok := got["rules/.hidden"]; ok {
		t.Error("hidden file packaged")
	}
	// The package is a home the functions can load, without the machine keys.
	cfg, err := embedded.LoadConfig(a.PackageDir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:8800" || len(cfg.Apps) != 1 || cfg.Conf != filepath.Join(a.PackageDir, "conf") {
		t.Errorf("package sa.yaml: listen %q apps %d conf %q", cfg.Listen, len(cfg.Apps), cfg.Conf)
	}
	// The inputs name every required variable of infra/ and nothing else.
	data, err := os.ReadFile(a.VarsFile)
	if err != nil {
		t.Fatal(err)
	}
	var vars map[string]json.RawMessage
	if err := json.Unmarshal(data, &vars); err != nil {
		t.Fatal(err)
	}
	root := loadModule(t, a.Terraform)
	for name := range vars {
		if root.vars[name] == nil {
			t.Errorf("terraform.tfvars.json sets %s, which infra/ does not declare", name)
		}
	}
	for name, v := range root.vars {
		if _, ok := vars[name]; !ok && v.Body.Attributes["default"] == nil {
			t.Errorf("terraform.tfvars.json lacks required variable %s", name)
		}
	}
	want := &Vars{
		Prefix: "acme", Region: "eu-west-1", AccountID: "123456789012", PackagePath: a.Package, Architecture: "arm64",
		LogRetention: 30, SecretsPrefix: "/acme/sa/secrets", SecretsKMSAlias: "acme_streamalert_secrets",
		Clusters: map[string]ClusterVar{"prod": {Kinesis: []string{"acme_prod_stream"}, S3: []string{"acme-logs"}, SNS: []string{}}},
		Apps:     map[string]AppVar{"duo_prod": {Cluster: "prod", Plugin: "duo", Schedule: "rate(10 minutes)"}},
	}
	if !reflect.DeepEqual(a.Vars, want) {
		t.Errorf("vars:\n got %+v\nwant %+v", a.Vars, want)
	}
	// The same inputs make the same zip, so Terraform sees nothing to do.
	first, _ := os.ReadFile(a.Package)
	if _, err := Build(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(a.Package)
	if sha256.Sum256(first) != sha256.Sum256(second) {
		t.Error("rebuilding the same inputs changed the package")
	}
}

func TestBuildRefuses(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(t *testing.T, home, plugins string, o *Options)
		wants []string
	}{
		{"placeholder account", func(t *testing.T, home, _ string, _ *Options) {
			write(t, filepath.Join(home, "conf/global.json"), `{"account": {"aws_account_id": "000000000000", "prefix": "acme", "region": "eu-west-1"}}`)
		}, []string{"aws_account_id", "000000000000"}},
		{"plugin for the wrong architecture", func(t *testing.T, _, plugins string, o *Options) {
			fakePlugin(t, plugins, "output", "slack", elf.EM_X86_64)
			o.Source = t.TempDir() // infra/ only: no source to rebuild the plugin from
			write(t, filepath.Join(o.Source, "infra/main.tf"), "")
		}, []string{"output.slack", "X86_64", "linux/arm64"}},
		{"plugin not installed", func(t *testing.T, _, plugins string, _ *Options) {
			os.RemoveAll(filepath.Join(plugins, "app"))
		}, []string{"app.duo", "apps[0]", "not installed"}},
		{"bootstrap for the wrong architecture", func(t *testing.T, _, _ string, o *Options) {
			fakeELF(t, o.Bootstrap, elf.EM_X86_64)
		}, []string{"bootstrap", "X86_64"}},
		{"app of an unknown cluster", func(t *testing.T, home, _ string, _ *Options) {
			write(t, filepath.Join(home, "sa.yaml"), "apps:\n  - {name: a, cluster: nope, plugin: duo, schedule: 10s}\n")
		}, []string{`cluster "nope"`, "at most once a minute"}},
		{"no cmd/sa-lambda", func(t *testing.T, _, _ string, o *Options) {
			o.Bootstrap = ""
			o.Source = t.TempDir()
			write(t, filepath.Join(o.Source, "infra/main.tf"), "")
		}, []string{"cmd/sa-lambda", "--bootstrap"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home, plugins := fixture(t, "123456789012")
			o := testOptions(t, home, plugins)
			tc.edit(t, home, plugins, &o)
			_, err := Build(context.Background(), o)
			if err == nil {
				t.Fatal("built")
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// recorder is a Runner that records the commands.
type recorder struct {
	dirs  []string
	calls []string
	fail  string
}

func (r *recorder) Run(_ context.Context, dir string, args ...string) error {
	r.dirs = append(r.dirs, dir)
	r.calls = append(r.calls, strings.Join(args, " "))
	if args[0] == r.fail {
		return errors.New("terraform failed")
	}
	return nil
}

func TestApplyAndDestroy(t *testing.T) {
	home, plugins := fixture(t, "123456789012")
	opts := testOptions(t, home, plugins)
	a, err := Build(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{}
	err = a.Apply(context.Background(), r, func() (bool, error) { return false, nil })
	if !errors.Is(err, ErrDeclined) || strings.Join(r.calls, ";") != "init -input=false;plan -input=false -out=sa.tfplan" {
		t.Errorf("declined: err %v, ran %q", err, r.calls)
	}
	r = &recorder{}
	if err := a.Apply(context.Background(), r, func() (bool, error) { return true, nil }); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.calls, ";"); got != "init -input=false;plan -input=false -out=sa.tfplan;apply -input=false sa.tfplan" || r.dirs[0] != a.Terraform {
		t.Errorf("apply ran %q in %v", got, r.dirs)
	}
	r = &recorder{fail: "init"}
	if err := a.Apply(context.Background(), r, func() (bool, error) { t.Error("asked after a failed init"); return true, nil }); err == nil {
		t.Error("a failed init was not reported")
	}
	r = &recorder{}
	if err := Destroy(context.Background(), opts.Out, r, true); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.calls, ";"); got != "init -input=false;destroy -input=false -auto-approve" {
		t.Errorf("destroy ran %q", got)
	}
	if err := Destroy(context.Background(), t.TempDir(), &recorder{}, false); err == nil || !strings.Contains(err.Error(), "no deployment") {
		t.Errorf("destroy without a deployment: %v", err)
	}
}

// TestExecFakeTerraform runs Exec against a terraform script on the PATH.
func TestExecFakeTerraform(t *testing.T) {
	bin := t.TempDir()
	log := filepath.Join(bin, "log")
	script := "#!/bin/sh\necho \"$@\" >> " + log + "\n[ \"$2\" != fail ]\n"
	if err := os.WriteFile(filepath.Join(bin, "terraform"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	e := Exec{}
	if err := e.Run(context.Background(), "/work dir", "plan", "-input=false"); err != nil {
		t.Fatal(err)
	}
	if err := e.Run(context.Background(), "/d", "fail"); err == nil || !strings.Contains(err.Error(), "terraform fail") {
		t.Errorf("failing terraform: %v", err)
	}
	got, _ := os.ReadFile(log)
	if string(got) != "-chdir=/work dir plan -input=false\n-chdir=/d fail\n" {
		t.Errorf("terraform saw %q", got)
	}
	t.Setenv("PATH", t.TempDir())
	if err := e.Run(context.Background(), "/d", "init"); !errors.Is(err, ErrNoTerraform) {
		t.Errorf("no terraform: %v", err)
	}
}

// TestBuildBootstrap builds the real cmd/sa-lambda for Lambda. It builds
// for amd64, which the test machines' build cache mostly holds already: a
// cold arm64 cross-compile of the AWS SDK takes minutes. SA_TEST_ARM64=1
// builds for arm64 instead.
func TestBuildBootstrap(t *testing.T) {
	if testing.Short() || !hasGoFiles("../../"+lambdaPkg) {
		t.Skip("cmd/sa-lambda is not in this tree")
	}
	arch := AMD64
	if os.Getenv("SA_TEST_ARM64") == "1" {
		arch = ARM64
	}
	out := filepath.Join(t.TempDir(), "bootstrap")
	if err := buildBootstrap(context.Background(), "../..", arch, out); err != nil {
		t.Fatal(err)
	}
	if err := arch.checkBinary(out); err != nil {
		t.Fatal(err)
	}
}

func TestScheduleExpression(t *testing.T) {
	for in, want := range map[string]string{
		"rate(5 minutes)": "rate(5 minutes)", "cron(0 12 * * ? *)": "cron(0 12 * * ? *)",
		"1m": "rate(1 minute)", "90m": "rate(90 minutes)", "2h": "rate(2 hours)", "24h": "rate(1 day)", "30s": "", "1m30s": "",
	} {
		got, err := ScheduleExpression(in)
		if got != want || (err != nil) != (want == "") {
			t.Errorf("ScheduleExpression(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
