// Package pythonoutput_test runs the Python example output plugin for real,
// through the same SDK client the host uses, to show that sa's plugin
// protocol does not depend on Go.
//
// The tests need Debian's python3 with python3-grpcio and
// python3-cryptography, protoc and grpc_python_plugin. Without them they
// skip, unless SA_REQUIRE_PYTHON=1, where they fail instead (CI sets it).
package pythonoutput_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// python is the interpreter with Debian's grpcio. A python3 earlier on a
// developer's PATH (pyenv) usually lacks it.
const python = "/usr/bin/python3"

// pluginEnv is the whole environment the host gives a plugin.
var pluginEnv = []string{"PATH=/usr/local/bin:/usr/bin:/bin"}

const (
	cookie = "SA_PLUGIN_MAGIC_COOKIE=8c4a27d0f1f94b8eb3c2ad9b51e6f07a"
	// token is a valid api_token; tests look for it where it must not be.
	token = "tok_3b1f9a77c2d04e51"
)

// sources are the plugin files a test copies, so each test generates its
// stubs in a directory of its own and never into the source tree: the
// example's own, and the go-plugin part every Python plugin shares, which
// is kept with the Python scaffold.
var sources = []string{"plugin.py", "gen.sh", "plugin.json.in",
	common + "/goplugin.py", common + "/health.proto", common + "/grpc_controller.proto", common + "/grpc_stdio.proto"}

// common is the Python scaffold's shared part.
const common = "../../../host/install/scaffold/templates/python/common"

// requirePython skips the test when the Python toolchain is missing, or
// fails it when SA_REQUIRE_PYTHON=1.
func requirePython(t *testing.T) {
	t.Helper()
	missing := missingTools()
	if len(missing) == 0 {
		return
	}
	msg := "Python plugin toolchain missing: " + strings.Join(missing, ", ") +
		" (Debian: python3-grpcio python3-cryptography protobuf-compiler protobuf-compiler-grpc)"
	if os.Getenv("SA_REQUIRE_PYTHON") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// missingTools lists what the tests need and cannot find, looked up once.
var missingTools = sync.OnceValue(func() []string {
	var missing []string
	if out, err := exec.Command(python, "-c", "import grpc, cryptography, google.protobuf").CombinedOutput(); err != nil {
		missing = append(missing, python+" with grpc and cryptography ("+strings.TrimSpace(string(out))+")")
	}
	for _, tool := range []string{"protoc", "grpc_python_plugin"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	return missing
})

// pluginDir copies the plugin into a temporary directory and runs gen.sh
// there against the repository's protos.
func pluginDir(t *testing.T) string {
	t.Helper()
	requirePython(t)
	dir := t.TempDir()
	for _, f := range sources {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	protoDir, err := filepath.Abs(filepath.Join("..", "..", "..", "proto"))
	if err != nil {
		t.Fatal(err)
	}
	gen := exec.Command("sh", "gen.sh", protoDir)
	gen.Dir = dir
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("gen.sh: %v\n%s", err, out)
	}
	return dir
}

// command is how the host starts the plugin.
func command(dir string) *exec.Cmd {
	cmd := exec.Command(python, "plugin.py")
	cmd.Dir = dir
	cmd.Env = append([]string(nil), pluginEnv...)
	return cmd
}

// start starts the plugin through the SDK and kills it when the test ends.
func start(t *testing.T) (*saplugin.Client, *syncBuffer) {
	t.Helper()
	dir := pluginDir(t)
	stderr := &syncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := saplugin.Start(ctx, saplugin.ClientOptions{Cmd: command(dir), Stderr: stderr})
	if err != nil {
		t.Fatalf("start: %v\nstderr:\n%s", err, stderr)
	}
	t.Cleanup(c.Kill)
	return c, stderr
}

// callCtx bounds one call to the plugin.
func callCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// syncBuffer is a bytes.Buffer the plugin's stderr relay may write to while
// the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
