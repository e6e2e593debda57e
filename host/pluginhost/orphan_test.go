package pluginhost

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestNoOrphansAfterKill9 runs a host in a child process, kills it with
// SIGKILL, and checks its plugin process dies too.
func TestNoOrphansAfterKill9(t *testing.T) {
	if os.Getenv("SA_TEST_HOST_CHILD") != "" {
		runChildHost()
		return
	}
	root := t.TempDir()
	installFaulty(t, root)
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoOrphansAfterKill9$")
	cmd.Env = append(os.Environ(), "SA_TEST_HOST_CHILD="+root)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "PLUGIN_PID="); ok {
			pid, _ = strconv.Atoi(p)
			break
		}
	}
	if pid == 0 {
		_ = cmd.Process.Kill()
		t.Fatalf("the child host reported no plugin pid (%v)", cmd.Wait())
	}
	if !processAlive(pid) {
		t.Fatalf("plugin %d not running before the kill", pid)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	waitGone(t, pid)
}

// runChildHost starts the fault plugin, prints its pid and waits to be killed.
func runChildHost() {
	h := New(Options{Dirs: []string{os.Getenv("SA_TEST_HOST_CHILD")}})
	h.Configure("output.faulty", "main", func(context.Context) (map[string]any, error) {
		return map[string]any{"token": testToken}, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := h.Send(ctx, "faulty", "main", []byte(`{}`), nil); err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Printf("PLUGIN_PID=%d\n", h.Statuses()[0].PID)
	time.Sleep(time.Minute)
}

func itoa(n int) string { return strconv.Itoa(n) }
