package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/publish"
	"github.com/streamalert-go/sa/host/store"
	"github.com/streamalert-go/sa/host/store/sqlite"
)

// childEnv carries the crash test child's configuration.
const childEnv = "SA_DISPATCH_CRASH_CHILD"

// childConfig is what the child dispatcher runs against.
type childConfig struct {
	Store   string            `json:"store"`
	Plugins string            `json:"plugins"`
	Outputs map[string]string `json:"outputs"` // output → URL
}

// runChild is the dispatcher in the child process: real clock, real
// store, real plugin host; it runs until it is killed.
func runChild() {
	var cfg childConfig
	if err := json.Unmarshal([]byte(os.Getenv(childEnv)), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "child config:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, cfg.Store, sqlite.Options{Durability: sqlite.Normal})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child store:", err)
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	host := pluginhost.New(pluginhost.Options{Dirs: []string{cfg.Plugins}, Logger: log})
	settings := func(output string) (map[string]any, bool) {
		url, ok := cfg.Outputs[output]
		return map[string]any{"url": url, "allow_http": true}, ok
	}
	d, err := New(Deps{Queue: st, Sender: host, Composer: publish.New(publish.Options{Logger: log}),
		Instances: NewInstances(InstancesOptions{Host: host, Settings: settings})},
		Options{Poll: 10 * time.Millisecond, FlushInterval: 5 * time.Millisecond, Logger: log})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child dispatcher:", err)
		os.Exit(2)
	}
	_ = d.Run(ctx) // until SIGKILL
}

// TestCrashSafety kills a dispatcher process with SIGKILL in the middle of
// sending, restarts one in this process once the dead one's leases have
// run out, and checks that every alert reached every output and that no
// output got an alert twice after its acknowledgement was recorded.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a dispatcher in a child process")
	}
	plugins := sharedPlugins(t)
	path := filepath.Join(t.TempDir(), "sa.db")
	slow := func(http.ResponseWriter, *http.Request, int) int {
		time.Sleep(10 * time.Millisecond) // keep sends in flight when the child dies
		return http.StatusOK
	}
	recv := map[string]*receiver{"webhook:a": newReceiver(t, slow), "webhook:b": newReceiver(t, slow)}
	cfg := childConfig{Store: path, Plugins: plugins, Outputs: map[string]string{}}
	for o, rc := range recv {
		cfg.Outputs[o] = rc.URL + "/hook"
	}
	as := seed(t, path, 60)

	killMidway(t, cfg, recv, 40) // of 120 deliveries

	e := reopen(t, path, plugins)
	sentBefore := map[pairKey]bool{}
	for _, a := range as {
		for o := range recv {
			if e.delivery(a, o).Status == alert.Sent {
				sentBefore[pairKey{a.ID, o}] = true
			}
		}
	}
	t.Logf("the child recorded %d of %d pairs sent before it died", len(sentBefore), 2*len(as))
	for o, u := range cfg.Outputs {
		e.settings[o] = map[string]any{"url": u, "allow_http": true}
	}
	// The restarted dispatcher's clock is past every lease the child took.
	e.clock = newClock(time.Now().Add(store.DefaultLease + time.Minute))
	e.start(e.deps(), e.options())
	for o, rc := range recv {
		e.waitStatus(as, o, alert.Sent)
		_, ok := rc.counts()
		for _, a := range as {
			switch n := ok[a.ID]; {
			case n == 0:
				t.Errorf("%s never got alert %s", o, a.ID)
			case n > 1 && sentBefore[pairKey{a.ID, o}]:
				t.Errorf("%s got alert %s %d times after acknowledging it", o, a.ID, n)
			}
		}
	}
}

// seed stores n alerts for the crash test's two outputs.
func seed(t *testing.T, path string, n int) []*alert.Alert {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var as []*alert.Alert
	for i := range n {
		a, err := alert.New(alert.Params{RuleName: "crash", Record: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)),
			Outputs: []string{"webhook:a", "webhook:b"}})
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, a)
	}
	if err := st.Insert(context.Background(), as...); err != nil {
		t.Fatal(err)
	}
	return as
}

// killMidway runs the child until the receivers acknowledged after
// deliveries in all, then kills it with SIGKILL.
func killMidway(t *testing.T, cfg childConfig, recv map[string]*receiver, after int) {
	t.Helper()
	raw, _ := json.Marshal(cfg)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(raw))
	logs := &logBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(60 * time.Second)
	for delivered := 0; delivered < after; {
		select {
		case err := <-exited:
			t.Fatalf("child exited early: %v\n%s", err, logs.String())
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("child delivered only %d alerts\n%s", delivered, logs.String())
		case <-time.After(2 * time.Millisecond):
		}
		delivered = 0
		for _, rc := range recv {
			_, ok := rc.counts()
			delivered += len(ok)
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited
}

// reopen is an env over an existing store file.
func reopen(t *testing.T, path, plugins string) *env {
	t.Helper()
	e := newEnv(t, envOptions{plugins: plugins})
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{Durability: sqlite.Normal})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.store = st
	return e
}
