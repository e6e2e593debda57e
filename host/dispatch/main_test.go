package dispatch

import (
	"os"
	"sync"
	"testing"
)

// TestMain runs the crash test's child when asked to, and removes the
// plugin directory the tests share.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		runChild()
		return
	}
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// shared is one plugin directory for the whole test binary: registering
// the webhook plugin starts it once, which need not happen per test.
var shared struct {
	once sync.Once
	dir  string
	err  error
}

func sharedPlugins(t testing.TB) string {
	t.Helper()
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "sa-dispatch-plugins-")
		if shared.err == nil {
			copyPlugins(t, shared.dir)
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.dir
}
