package scaffold

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamalert-go/sa/internal/testbin"
	"github.com/streamalert-go/sa/sdk/plugintest"
)

// offline is how the Go scaffolds are built: from the module cache only.
var offline = []string{"GOFLAGS=-mod=mod -buildvcs=false", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local"}

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// conform runs sa plugin test's checks against the plugin newCmd starts.
func conform(t *testing.T, newCmd func() *exec.Cmd) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	report := plugintest.Binary(ctx, newCmd, plugintest.Options{})
	var buf bytes.Buffer
	report.Print(&buf)
	if report.Failed() {
		t.Fatalf("conformance:\n%s", buf.String())
	}
}

func TestGoScaffoldsBuildAndConform(t *testing.T) {
	sdk := filepath.Join(testbin.Root(t), "sdk")
	for _, kind := range Kinds {
		t.Run(kind, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "sa-"+kind+"-acme")
			files, err := Init(Options{Kind: kind, Lang: "go", Name: "acme", Dir: dir, SDK: sdk})
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"go.mod", "go.sum", "main.go", "plugin.go", "plugin_test.go", "Makefile", "README.md", ".gitignore"} {
				if !contains(files, want) {
					t.Errorf("no %s in %v", want, files)
				}
			}
			if out := run(t, dir, nil, "gofmt", "-l", "."); out != "" {
				t.Errorf("not gofmt'd: %s", out)
			}
			run(t, dir, offline, "go", "vet", "./...")
			run(t, dir, offline, "go", "build", "-o", "sa-"+kind+"-acme", ".")
			run(t, dir, offline, "go", "test", "-count=1", "./...")
			bin := filepath.Join(dir, "sa-"+kind+"-acme")
			conform(t, func() *exec.Cmd { return exec.Command(bin) })
		})
	}
}

func TestPythonScaffoldsConform(t *testing.T) {
	requirePython(t)
	for _, kind := range Kinds {
		t.Run(kind, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "acme")
			if _, err := Init(Options{Kind: kind, Lang: "python", Name: "acme", Dir: dir}); err != nil {
				t.Fatal(err)
			}
			run(t, dir, nil, "sh", "gen.sh")
			conform(t, func() *exec.Cmd {
				c := exec.Command("/usr/bin/python3", "plugin.py")
				c.Dir = dir
				return c
			})
		})
	}
}

func requirePython(t *testing.T) {
	t.Helper()
	var missing []string
	if out, err := exec.Command("/usr/bin/python3", "-c", "import grpc, cryptography, google.protobuf").CombinedOutput(); err != nil {
		missing = append(missing, "python3 with grpc and cryptography: "+strings.TrimSpace(string(out)))
	}
	for _, tool := range []string{"protoc", "grpc_python_plugin"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) == 0 {
		return
	}
	if os.Getenv("SA_REQUIRE_PYTHON") == "1" {
		t.Fatal("Python plugin toolchain missing: " + strings.Join(missing, ", "))
	}
	t.Skip("Python plugin toolchain missing: " + strings.Join(missing, ", "))
}

// TestEmbeddedCopiesAreCurrent: the Python scaffold carries copies of
// sa's protocol, which go:embed cannot reach in proto/; they must not
// drift from the originals.
func TestEmbeddedCopiesAreCurrent(t *testing.T) {
	root := testbin.Root(t)
	copies := map[string]string{}
	protos, _ := filepath.Glob(filepath.Join(root, "proto", "sa", "plugin", "v1", "*.proto"))
	for _, p := range protos {
		copies["templates/python/common/proto/sa/plugin/v1/"+filepath.Base(p)] = "proto/sa/plugin/v1/" + filepath.Base(p)
	}
	for embedded, original := range copies {
		got, err := templates.ReadFile(embedded)
		if err != nil {
			t.Errorf("%s: %v (copy it from %s)", embedded, err, original)
			continue
		}
		want, err := os.ReadFile(filepath.Join(root, original))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("host/install/scaffold/%s differs from %s: copy it over", embedded, original)
		}
	}
}

func TestInitRefusesBadOptions(t *testing.T) {
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "x"), nil, 0o644)
	tests := []struct {
		o    Options
		want string
	}{
		{Options{Kind: "output", Lang: "go", Name: "Acme!", Dir: t.TempDir(), SDK: "x"}, "is not a plugin name"},
		{Options{Kind: "notifier", Lang: "go", Name: "a", Dir: t.TempDir(), SDK: "x"}, `--kind "notifier"`},
		{Options{Kind: "output", Lang: "rust", Name: "a", Dir: t.TempDir()}, `--lang "rust"`},
		{Options{Kind: "output", Lang: "go", Name: "a", Dir: t.TempDir()}, "--sdk"},
		{Options{Kind: "output", Lang: "python", Name: "a", Dir: full}, "is not empty"},
		{Options{Kind: "output", Lang: "go", Name: "a", Dir: t.TempDir(), SDK: t.TempDir()}, "go.mod"},
	}
	for _, tt := range tests {
		if _, err := Init(tt.o); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", tt.o, err, tt.want)
		}
	}
}

func TestDefaultSDK(t *testing.T) {
	if got, want := DefaultSDK(), filepath.Join(testbin.Root(t), "sdk"); got != want {
		t.Errorf("DefaultSDK() = %q, want %q", got, want)
	}
}
