package plugintest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	goplugin "github.com/hashicorp/go-plugin"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Options tunes Binary.
type Options struct {
	// Env is the plugin's environment (PATH=/usr/local/bin:/usr/bin:/bin).
	Env []string
	// Timeout bounds each call (10s).
	Timeout time.Duration
}

// Binary runs every check against the plugin newCmd starts. newCmd is called
// once per process the harness needs, since an exec.Cmd runs only once.
func Binary(ctx context.Context, newCmd func() *exec.Cmd, opts Options) *Report {
	if opts.Env == nil {
		opts.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"}
	}
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	r := &Report{}
	r.add("refuses to run without the handshake cookie", checkCookie(ctx, newCmd(), opts))

	var stderr bytes.Buffer
	cmd := newCmd()
	cmd.Env = append(slices.Clone(opts.Env), cmd.Env...)
	c, err := saplugin.Start(ctx, saplugin.ClientOptions{Cmd: cmd, Stderr: &stderr, StartTimeout: 30 * time.Second})
	if err != nil {
		r.add("handshake over mTLS", fmt.Errorf("%w\nstderr:\n%s", err, tail(stderr.String())))
		return r
	}
	r.add("handshake over mTLS", nil)
	s := &session{r: r, conn: c.Conn, version: c.Version, timeout: opts.Timeout}
	s.run(ctx)

	start := time.Now()
	c.Kill()
	if d := time.Since(start); d >= 2*time.Second {
		r.add("exits on Shutdown", fmt.Errorf("still running %s after Shutdown; it had to be killed", d.Round(time.Millisecond)))
	} else {
		r.add("exits on Shutdown", nil)
	}
	return r
}

// InProcess runs the checks against impl, served by the SDK inside this
// process over a real gRPC connection. The checks that need a separate
// process (cookie, mTLS, shutdown) are skipped.
func InProcess(ctx context.Context, kind saplugin.Kind, impl saplugin.Plugin) *Report {
	r := &Report{}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	reattach := make(chan *goplugin.ReattachConfig, 1)
	closed := make(chan struct{})
	cfg := saplugin.ServeConfig(kind, impl)
	cfg.Test = &goplugin.ServeTestConfig{Context: ctx, ReattachConfigCh: reattach, CloseCh: closed}
	go goplugin.Serve(cfg)
	var rc *goplugin.ReattachConfig
	select {
	case rc = <-reattach:
	case <-time.After(10 * time.Second):
		r.add("serve", errors.New("the plugin did not start serving within 10s"))
		return r
	}
	c, err := saplugin.Start(ctx, saplugin.ClientOptions{Reattach: rc})
	if err != nil {
		r.add("connect", err)
		return r
	}
	defer c.Kill()
	s := &session{r: r, conn: c.Conn, version: c.Version, timeout: 10 * time.Second}
	s.run(ctx)
	return r
}

// Test runs InProcess and fails t for every failed check.
func Test(t testing.TB, kind saplugin.Kind, impl saplugin.Plugin) {
	t.Helper()
	reportTo(t, InProcess(context.Background(), kind, impl))
}

// checkCookie starts the plugin by hand, without the host's cookie: it must
// exit with an error and write nothing on standard output, instead of
// waiting for a host that is not there.
func checkCookie(ctx context.Context, cmd *exec.Cmd, opts Options) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var stdout bytes.Buffer
	cmd.Env = append(slices.Clone(opts.Env), cmd.Env...)
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-done
		return errors.New("still running after 10s without the cookie")
	}
	if err == nil {
		return errors.New("exited 0 without the cookie; it should fail")
	}
	if stdout.Len() > 0 {
		return fmt.Errorf("wrote %q on standard output without the cookie", trim(stdout.String()))
	}
	return nil
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 10 {
		lines = lines[len(lines)-10:]
	}
	return strings.Join(lines, "\n")
}

func trim(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}
