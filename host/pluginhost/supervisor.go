package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// State is where a plugin process is in its life.
type State string

// The states of a supervised plugin.
const (
	// Stopped: not started yet, or stopped by the host.
	Stopped State = "stopped"
	// Starting: a process is being launched and checked.
	Starting State = "starting"
	// Running: a process is up and answered its checks.
	Running State = "running"
	// Backoff: the last process crashed or would not start; the next start
	// waits for the backoff to pass.
	Backoff State = "backoff"
	// Failed: the plugin failed too often, or in a way restarting cannot fix
	// (tampered binary, wrong manifest, no common protocol). It stays failed
	// until the host restarts; the rest of the host keeps running.
	Failed State = "failed"
)

// supervisor owns the process of one plugin, or of one instance of an
// isolated plugin.
type supervisor struct {
	h        *Host
	plugin   *Installed
	instance string // set only for isolated plugins
	log      *slog.Logger
	relay    *relay

	mu         sync.Mutex
	state      State
	proc       *process
	starting   chan struct{}
	failures   int
	restarts   int
	lastErr    error
	retryAt    time.Time
	configured map[string]bool // instances configured in proc
}

func newSupervisor(h *Host, p *Installed, instance string, r *Redactor) *supervisor {
	log := h.log.With("plugin", p.Address())
	if instance != "" {
		log = log.With("instance", instance)
	}
	return &supervisor{
		h: h, plugin: p, instance: instance, log: log,
		relay: newRelay(log, r),
		state: Stopped,
	}
}

// get returns a running process, starting one if needed. It waits out a
// backoff only while ctx allows.
func (s *supervisor) get(ctx context.Context) (*process, error) {
	for {
		s.mu.Lock()
		if s.proc != nil && !s.proc.alive() {
			s.crashedLocked(s.proc, errors.New("process exited"))
		}
		if s.proc != nil {
			p := s.proc
			s.mu.Unlock()
			return p, nil
		}
		switch {
		case s.state == Failed:
			err := fmt.Errorf("plugin is marked failed: %w", s.lastErr)
			s.mu.Unlock()
			return nil, err
		case s.state == Starting:
			ch := s.starting
			s.mu.Unlock()
			if err := wait(ctx, ch); err != nil {
				return nil, err
			}
			continue
		}
		if d := time.Until(s.retryAt); d > 0 {
			last := s.lastErr
			s.mu.Unlock()
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
				return nil, transient(fmt.Errorf("restarting after failure (%v); next start in %s", last, d.Round(time.Millisecond)))
			}
			if err := sleep(ctx, d); err != nil {
				return nil, err
			}
			continue
		}
		return s.startLocked()
	}
}

// startLocked launches a process; s.mu is held on entry and released.
func (s *supervisor) startLocked() (*process, error) {
	ch := make(chan struct{})
	s.state, s.starting = Starting, ch
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), s.h.opts.StartTimeout+5*time.Second)
	p, err := launch(ctx, s.h.spec(s.plugin, s.instance, s.relay))
	cancel()

	s.mu.Lock()
	defer s.mu.Unlock()
	defer close(ch)
	if s.h.isClosed() {
		if p != nil {
			go p.kill(true)
		}
		s.state = Stopped
		return nil, errors.New("host is shutting down")
	}
	if err != nil {
		err = s.withTail(err)
		s.failLocked(err, permanent(err))
		if !permanent(err) {
			err = transient(err)
		}
		return nil, err
	}
	s.proc, s.state, s.configured = p, Running, map[string]bool{}
	s.log.Info("plugin started", "pid", pid(p), "protocol", p.version, "version", p.info.GetVersion())
	go s.watch(p)
	return p, nil
}

// withTail adds the plugin's last stderr lines to a start error: they
// usually say why (a missing module, a panic, a bad flag).
func (s *supervisor) withTail(err error) error {
	tail := s.relay.Tail()
	if len(tail) == 0 {
		return err
	}
	if len(tail) > 5 {
		tail = tail[len(tail)-5:]
	}
	return fmt.Errorf("%w; plugin stderr: %s", err, strings.Join(tail, " | "))
}

// crashed records that p died or hung, and kills it.
func (s *supervisor) crashed(p *process, why error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.crashedLocked(p, why)
}

func (s *supervisor) crashedLocked(p *process, why error) {
	if s.proc != p {
		return // already handled
	}
	s.proc = nil
	go p.kill(false)
	if time.Since(p.started) > s.h.opts.StableAfter {
		s.failures = 0
	}
	s.restarts++
	s.failLocked(s.withTail(why), false)
}

// failLocked counts a failure and decides between backoff and failed.
func (s *supervisor) failLocked(err error, fatal bool) {
	s.failures++
	s.lastErr = err
	if fatal || s.failures >= s.h.opts.MaxFailures {
		s.state = Failed
		s.log.Error("plugin marked failed; the rest of sa keeps running", "error", err.Error(), "failures", s.failures)
		return
	}
	d := backoff(s.h.opts.BackoffBase, s.h.opts.BackoffMax, s.failures)
	s.state, s.retryAt = Backoff, time.Now().Add(d)
	s.log.Warn("plugin failed; restarting", "error", err.Error(), "in", d.Round(time.Millisecond), "failures", s.failures)
}

// backoff is exponential with full jitter in its upper half, so plugins
// that failed together do not restart together.
func backoff(base, max time.Duration, failures int) time.Duration {
	d := base << min(failures-1, 20)
	if d > max || d <= 0 {
		d = max
	}
	return d/2 + rand.N(d/2+1)
}

// watch health-checks p until it is no longer the current process.
func (s *supervisor) watch(p *process) {
	t := time.NewTicker(s.h.opts.HealthInterval)
	defer t.Stop()
	for {
		select {
		case <-s.h.done:
			return
		case <-t.C:
		}
		s.mu.Lock()
		current := s.proc == p
		s.mu.Unlock()
		if !current {
			return
		}
		if err := s.ping(p); err != nil {
			s.crashed(p, fmt.Errorf("health check: %w", err))
			return
		}
	}
}

func (s *supervisor) ping(p *process) error {
	if !p.alive() {
		return errors.New("process exited")
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.h.opts.HealthTimeout)
	defer cancel()
	return p.conn.Ping(ctx)
}

// call runs fn against a running process with a deadline. A process that
// died under the call is restarted and, when retry is set, the call is made
// once more; a call that times out on a process that no longer answers
// health checks marks it hung, and it is killed and restarted.
func (s *supervisor) call(ctx context.Context, timeout time.Duration, retry bool, fn func(context.Context, *process) error) error {
	for attempt := 0; ; attempt++ {
		p, err := s.get(ctx)
		if err != nil {
			return err
		}
		cctx, cancel := context.WithTimeout(ctx, timeout)
		err = fn(cctx, p)
		cancel()
		if err == nil || ctx.Err() != nil {
			return err
		}
		switch code := status.Code(err); {
		case code == codes.Unavailable || code == codes.Canceled || !p.alive():
			s.crashed(p, fmt.Errorf("process died during a call: %w", err))
			if retry && attempt == 0 {
				continue
			}
			return transient(fmt.Errorf("plugin process died during the call: %w", err))
		case code == codes.DeadlineExceeded:
			if perr := s.ping(p); perr != nil {
				s.crashed(p, fmt.Errorf("hung: no answer within %s and no answer to a health check", timeout))
				return transient(fmt.Errorf("plugin hung: no answer within %s; killed and restarting", timeout))
			}
			return transient(fmt.Errorf("no answer within %s", timeout))
		}
		return err
	}
}

// status reports the supervisor's state.
func (s *supervisor) status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Status{Address: s.plugin.Address(), Instance: s.instance, State: s.state, Restarts: s.restarts}
	if s.lastErr != nil {
		st.LastError = s.lastErr.Error()
	}
	if s.proc != nil {
		st.PID = pid(s.proc)
		st.Protocol = s.proc.version
	}
	return st
}

// stop kills the current process, if any.
func (s *supervisor) stop() {
	s.mu.Lock()
	p := s.proc
	s.proc, s.state = nil, Stopped
	s.mu.Unlock()
	if p != nil {
		p.kill(true)
	}
}

func pid(p *process) int {
	if rc := p.client.ReattachConfig(); rc != nil {
		return rc.Pid
	}
	return 0
}

func wait(ctx context.Context, ch <-chan struct{}) error {
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// permanent reports start failures that restarting cannot fix.
func permanent(err error) bool {
	return errors.Is(err, ErrChecksum) || errors.Is(err, ErrMismatch) || errors.Is(err, ErrProtocol)
}
