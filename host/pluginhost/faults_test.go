package pluginhost

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

func TestSendDelivers(t *testing.T) {
	root := t.TempDir()
	installFaulty(t, root)
	h, _ := newTestHost(t, root, "")
	res, err := h.Send(ctxTimeout(t, 30*time.Second), "faulty", "main", []byte(`{"id":"a1"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != saplugin.Delivered {
		t.Fatalf("status %v (%s), want delivered", res.Status, res.Message)
	}
	st := h.Statuses()
	if len(st) != 1 || st[0].State != Running || st[0].PID == 0 || st[0].Protocol != 1 {
		t.Fatalf("statuses %+v, want one running plugin on protocol 1", st)
	}
}

// TestFaultsAtStart covers plugins that can never start: each gives a
// message naming the plugin and the cause, the plugin is marked failed
// without endless restarts, and the host keeps running.
func TestFaultsAtStart(t *testing.T) {
	tests := []struct {
		name   string
		fault  string
		mangle func(t *testing.T, dir string)
		want   string
		is     error
		failed bool
	}{
		{name: "binary altered after install", mangle: appendByte, want: "changed after install", is: ErrChecksum, failed: true},
		{name: "incompatible protocol version", fault: "protocol-99", want: "protocol", is: ErrProtocol, failed: true},
		{name: "manifest disagrees with Describe", mangle: editManifest(`"version": "1.0.0"`, `"version": "1.0.1"`), want: `version "1.0.0", manifest says "1.0.1"`, is: ErrMismatch, failed: true},
		{name: "junk on stdout before the handshake", fault: "stdout-junk", want: "standard output"},
		{name: "exits at start", fault: "exit-at-start", want: "config file missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dir := installFaulty(t, root)
			if tt.mangle != nil {
				tt.mangle(t, dir)
			}
			h, _ := newTestHost(t, root, tt.fault)
			_, err := h.Send(ctxTimeout(t, 30*time.Second), "faulty", "main", []byte(`{}`), nil)
			if err == nil {
				t.Fatal("send succeeded, want an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, "plugin output.faulty") || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q: want it to name plugin output.faulty and say %q", msg, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", msg, tt.is)
			}
			if tt.failed {
				if st := h.Statuses()[0]; st.State != Failed {
					t.Errorf("state %s, want failed at once", st.State)
				}
			}
		})
	}
}

func appendByte(t *testing.T, dir string) {
	f, err := os.OpenFile(filepath.Join(dir, "sa-output-faulty"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write([]byte{0}); err != nil {
		t.Fatal(err)
	}
}

func editManifest(old, new string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		p := filepath.Join(dir, ManifestFile)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), old) {
			t.Fatalf("manifest has no %s", old)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestExitMidCall: the process dies inside Send; the host restarts it and
// the retried call is delivered by the new process.
func TestExitMidCall(t *testing.T) {
	root := t.TempDir()
	installFaulty(t, root)
	marker := filepath.Join(t.TempDir(), "crashed")
	h, logs := newTestHost(t, root, "crash-once-on-send", "SA_FAULT_MARKER="+marker)
	res, err := h.Send(ctxTimeout(t, 30*time.Second), "faulty", "main", []byte(`{}`), nil)
	if err != nil {
		t.Fatalf("send after a crash: %v", err)
	}
	if res.Status != saplugin.Delivered {
		t.Fatalf("status %v, want delivered by the restarted process", res.Status)
	}
	if st := h.Statuses()[0]; st.Restarts != 1 || st.State != Running {
		t.Errorf("status %+v, want running after 1 restart", st)
	}
	if !strings.Contains(logs.String(), "injected crash") {
		t.Error("the plugin's panic was not relayed into the host log")
	}
}

// TestRepeatedCrashesMarkFailed: a plugin that dies on every call is
// restarted with backoff, then marked failed; other plugins keep working.
func TestRepeatedCrashesMarkFailed(t *testing.T) {
	root := t.TempDir()
	installFaulty(t, root)
	h, _ := newTestHost(t, root, "exit-on-send")
	var err error
	for i := 0; i < 5; i++ {
		_, err = h.Send(ctxTimeout(t, 30*time.Second), "faulty", "main", []byte(`{}`), nil)
		if err == nil {
			t.Fatal("send succeeded on a plugin that exits")
		}
	}
	if !strings.Contains(err.Error(), "marked failed") {
		t.Errorf("last error %q, want the plugin marked failed", err)
	}
	if Transient(err) {
		t.Error("a failed plugin's error is transient; it needs a person")
	}
	st := h.Statuses()[0]
	if st.State != Failed || st.Restarts < 2 {
		t.Errorf("status %+v, want failed after restarts", st)
	}
}

// TestHungPlugin: a plugin that stops answering (SIGSTOP) is found hung,
// either by the health loop or when a call passes its deadline and the
// health check that follows fails; it is killed and a new process serves.
func TestHungPlugin(t *testing.T) {
	for _, tt := range []struct {
		name           string
		healthInterval time.Duration
		// wantErr: the call that meets the hang fails (found at its
		// deadline) rather than being retried on the new process.
		wantErr bool
	}{
		{name: "found by the health loop", healthInterval: 200 * time.Millisecond},
		{name: "found at the call deadline", healthInterval: time.Hour, wantErr: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			installFaulty(t, root)
			h, _ := newTestHost(t, root, "")
			h.opts.HealthInterval = tt.healthInterval
			ctx := ctxTimeout(t, 60*time.Second)
			if _, err := h.Send(ctx, "faulty", "main", []byte(`{}`), nil); err != nil {
				t.Fatal(err)
			}
			pid := h.Statuses()[0].PID
			if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
				t.Fatal(err)
			}
			waitStopped(t, pid)
			res, err := h.Send(ctx, "faulty", "main", []byte(`{}`), nil)
			switch {
			case tt.wantErr && (err == nil || !Transient(err) || !strings.Contains(err.Error(), "hung")):
				t.Fatalf("send to a hung plugin: %v, want a transient error saying it hung", err)
			case !tt.wantErr && (err != nil || res.Status != saplugin.Delivered):
				t.Fatalf("send to a hung plugin: %v %v, want it retried and delivered", res, err)
			}
			res, err = h.Send(ctx, "faulty", "main", []byte(`{}`), nil)
			if err != nil || res.Status != saplugin.Delivered {
				t.Fatalf("send after the hang: %v %v, want delivered by a new process", res, err)
			}
			if st := h.Statuses()[0]; st.PID == pid || st.Restarts != 1 {
				t.Errorf("status %+v, want the hung process %d replaced once", st, pid)
			}
			waitGone(t, pid)
		})
	}
}

// TestSlowCallKeepsHealthyPlugin: a call that outlives its deadline on a
// plugin that still answers health checks fails transiently but the
// process is kept.
func TestSlowCallKeepsHealthyPlugin(t *testing.T) {
	root := t.TempDir()
	installFaulty(t, root)
	h, _ := newTestHost(t, root, "slow-send", "SA_FAULT_DELAY_MS=4500")
	_, err := h.Send(ctxTimeout(t, 30*time.Second), "faulty", "main", []byte(`{}`), nil)
	if err == nil || !Transient(err) || !strings.Contains(err.Error(), "no answer within") {
		t.Fatalf("error %v, want a transient timeout", err)
	}
	if st := h.Statuses()[0]; st.State != Running || st.Restarts != 0 {
		t.Errorf("status %+v, want the healthy process kept", st)
	}
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if !processAlive(pid) {
			return
		}
	}
	t.Errorf("process %d still alive", pid)
}

// waitStopped waits until every thread of pid is stopped: kill returns
// before a busy process's threads have taken the SIGSTOP, and one still
// running could answer a call.
func waitStopped(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		tasks, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "stat"))
		stopped := len(tasks) > 0
		for _, task := range tasks {
			if procState(task) != "T" {
				stopped = false
				break
			}
		}
		if stopped {
			return
		}
	}
	t.Fatalf("process %d did not stop", pid)
}

// procState is the state field of a /proc stat file ("R", "S", "T", "Z"
// ...), or "" when it cannot be read.
func procState(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	if len(fields) == 0 {
		return ""
	}
	return fields[0]
}

// processAlive treats a zombie as dead: it runs no code.
func processAlive(pid int) bool {
	state := procState(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	return state != "" && state != "Z" && state != "X"
}
