package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/streamalert-go/sa/host/install/lockfile"
)

// Options configures a Host. Zero fields take the defaults in parentheses.
type Options struct {
	// Dirs are searched for plugins in order; earlier ones shadow later.
	Dirs []string
	// Env is the plugins' whole environment (DefaultEnv()). The host's own
	// environment, its AWS credentials included, is never inherited.
	Env []string
	// Versions are the protocol versions the host accepts (all the SDK speaks).
	Versions []int
	// StartTimeout bounds a plugin's start and handshake (30s).
	StartTimeout time.Duration
	// CallTimeout is the deadline of a call when the caller sets none
	// shorter (30s).
	CallTimeout time.Duration
	// HealthInterval is how often running plugins are health checked (10s);
	// HealthTimeout bounds one check (3s).
	HealthInterval time.Duration
	HealthTimeout  time.Duration
	// BackoffBase and BackoffMax bound the wait before a restart (500ms, 1m).
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// MaxFailures consecutive failures mark a plugin failed (5). A process
	// that ran for StableAfter (1m) resets the count.
	MaxFailures int
	StableAfter time.Duration
	// Isolate lists plugin addresses that get one process per instance.
	Isolate map[string]bool
	// AWSCredentials lists plugin addresses that also get the host's AWS
	// credential variables (AWS_ACCESS_KEY_ID, AWS_SESSION_TOKEN, the
	// container and web identity endpoints, the region), so an AWS output
	// can act as the role sa runs as on Lambda, ECS or EKS. The secret
	// values are added to the plugin's redactor. No other plugin sees them.
	AWSCredentials map[string]bool
	// LookupEnv reads the host's environment for AWSCredentials
	// (os.LookupEnv).
	LookupEnv func(string) (string, bool)
	// Unverified lists plugin addresses started without checksum checks:
	// development overrides only, and the host logs a warning for each.
	Unverified map[string]bool
	// Home is sa's home directory. Its lock file, sa.lock, is the authority
	// for the plugins it names: only the pinned version loads, and before
	// every start the plugin's files must have the tree hash the lock
	// records for Platform. Its sa.yaml's plugins.dev_overrides replace
	// plugins with local builds, started unchecked, with a warning. Empty
	// means the parent of Dirs[0] when Dirs[0] is named "plugins", which is
	// how every sa command lays out a home; "-" means no home.
	Home string
	// Platform selects the lock file's hashes (lockfile.Platform()).
	Platform string
	Logger   *slog.Logger
}

// DefaultEnv is the environment plugins get: a fixed PATH, the locale, a
// temporary directory, and the host's proxy and CA settings, which outputs
// need to reach their services from inside corporate networks.
func DefaultEnv() []string {
	env := []string{
		"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8",
		// Python plugins: write no bytecode, and read none from the plugin
		// directory, where a planted .pyc would bypass the checksums.
		"PYTHONDONTWRITEBYTECODE=1", "PYTHONPYCACHEPREFIX=/nonexistent/sa-pycache",
	}
	for _, k := range []string{"TMPDIR", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR", "TZ"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&o.StartTimeout, 30*time.Second)
	def(&o.CallTimeout, 30*time.Second)
	def(&o.HealthInterval, 10*time.Second)
	def(&o.HealthTimeout, 3*time.Second)
	def(&o.BackoffBase, 500*time.Millisecond)
	def(&o.BackoffMax, time.Minute)
	def(&o.StableAfter, time.Minute)
	if o.MaxFailures == 0 {
		o.MaxFailures = 5
	}
	if o.Env == nil {
		o.Env = DefaultEnv()
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Platform == "" {
		o.Platform = lockfile.Platform()
	}
}

// ConfigFunc returns an instance's configuration, secrets included. The host
// calls it only when a plugin process needs the instance configured (first
// use, and after every restart), so credentials are decrypted for that call
// and not kept in the host.
type ConfigFunc func(ctx context.Context) (map[string]any, error)

// Host runs the plugins found in its directories.
type Host struct {
	opts     Options
	log      *slog.Logger
	plugins  map[string]*Installed
	problems []error
	home     *homeState
	done     chan struct{}

	mu        sync.Mutex
	closed    bool
	sups      map[string]*supervisor
	redactors map[string]*Redactor
	instances map[string]map[string]ConfigFunc
}

// New discovers plugins. Problems with single plugins do not fail New; they
// are kept for Problems and logged.
func New(opts Options) *Host {
	opts.defaults()
	h := &Host{
		opts: opts, log: opts.Logger, plugins: map[string]*Installed{}, done: make(chan struct{}),
		sups: map[string]*supervisor{}, redactors: map[string]*Redactor{}, instances: map[string]map[string]ConfigFunc{},
	}
	h.home = loadHome(opts)
	found, problems := discover(opts.Dirs, h.home.admit)
	for _, p := range found {
		h.plugins[p.Address()] = p
	}
	overrides, more := h.home.loadOverrides()
	problems = append(problems, more...)
	h.opts.Unverified = maps.Clone(opts.Unverified)
	if h.opts.Unverified == nil {
		h.opts.Unverified = map[string]bool{}
	}
	for _, p := range overrides {
		h.plugins[p.Address()] = p
		h.opts.Unverified[p.Address()] = true
	}
	problems = append(problems, h.home.problems(h.plugins)...)
	h.problems = problems
	for _, err := range problems {
		h.log.Warn("plugin not loaded", "error", err.Error())
	}
	for addr := range h.opts.Unverified {
		path := "(unknown)"
		if p, ok := h.plugins[addr]; ok {
			path = p.Executable()
		}
		h.log.Warn("DEVELOPMENT OVERRIDE: plugin runs without checksum verification", "plugin", addr, "path", path)
	}
	return h
}

// Plugins lists the installed plugins, sorted by address.
func (h *Host) Plugins() []*Installed {
	out := make([]*Installed, 0, len(h.plugins))
	for _, p := range h.plugins {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address() < out[j].Address() })
	return out
}

// Plugin returns the installed plugin at addr ("output.slack").
func (h *Host) Plugin(addr string) (*Installed, bool) {
	p, ok := h.plugins[addr]
	return p, ok
}

// Problems returns what went wrong discovering plugins.
func (h *Host) Problems() []error { return h.problems }

// Status describes one supervised plugin process.
type Status struct {
	Address   string
	Instance  string
	State     State
	PID       int
	Protocol  int
	Restarts  int
	LastError string
}

// Statuses reports every plugin the host has started or tried to.
func (h *Host) Statuses() []Status {
	h.mu.Lock()
	sups := make([]*supervisor, 0, len(h.sups))
	for _, s := range h.sups {
		sups = append(sups, s)
	}
	h.mu.Unlock()
	out := make([]Status, len(sups))
	for i, s := range sups {
		out[i] = s.status()
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Address+"/"+out[i].Instance < out[j].Address+"/"+out[j].Instance
	})
	return out
}

// Configure registers how to configure an instance of a plugin. The plugin
// is configured lazily, on the instance's first call in each process.
func (h *Host) Configure(addr, instance string, cfg ConfigFunc) {
	h.mu.Lock()
	if h.instances[addr] == nil {
		h.instances[addr] = map[string]ConfigFunc{}
	}
	h.instances[addr][instance] = cfg
	var sups []*supervisor
	for _, s := range h.sups {
		if s.plugin.Address() == addr {
			sups = append(sups, s)
		}
	}
	// Supervisors take h.mu while holding their own lock, so theirs are
	// taken only after h.mu is released.
	h.mu.Unlock()
	for _, s := range sups {
		s.forgetAll(instance)
	}
}

// Close stops every plugin process and waits for them to exit.
func (h *Host) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	close(h.done)
	sups := make([]*supervisor, 0, len(h.sups))
	for _, s := range h.sups {
		sups = append(sups, s)
	}
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range sups {
		wg.Go(s.stop)
	}
	wg.Wait()
}

func (h *Host) isClosed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
}

// supervisor returns the supervisor for an instance of a plugin.
func (h *Host) supervisor(addr, instance string) (*supervisor, error) {
	p, ok := h.plugins[addr]
	if !ok {
		return nil, &Error{Plugin: addr, Op: "start", Err: ErrNotInstalled}
	}
	key := addr
	if !h.opts.Isolate[addr] {
		instance = ""
	} else {
		key += "/" + instance
	}
	r := h.redactor(addr)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, &Error{Plugin: addr, Op: "start", Err: errors.New("host is shutting down")}
	}
	s, ok := h.sups[key]
	if !ok {
		s = newSupervisor(h, p, instance, r)
		h.sups[key] = s
	}
	return s, nil
}

func (h *Host) redactor(addr string) *Redactor {
	h.mu.Lock()
	defer h.mu.Unlock()
	r, ok := h.redactors[addr]
	if !ok {
		r = &Redactor{}
		h.redactors[addr] = r
	}
	return r
}

func (h *Host) configFunc(addr, instance string) (ConfigFunc, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f, ok := h.instances[addr][instance]
	return f, ok
}

func (h *Host) spec(p *Installed, instance string, r *relay) launchSpec {
	override := h.opts.Unverified[p.Address()]
	env := h.opts.Env
	if h.opts.AWSCredentials[p.Address()] {
		aws, secrets := awsEnv(h.opts.LookupEnv)
		env = append(slices.Clone(env), aws...)
		r.redact.Add(secrets...)
	}
	s := launchSpec{
		plugin: p, env: env, instance: instance, versions: h.opts.Versions,
		startTimeout: h.opts.StartTimeout, stderr: r, verify: !override, override: override,
	}
	if !override {
		s.pin = func() error { return h.home.checkPin(p) }
	} else {
		h.log.Warn("DEVELOPMENT OVERRIDE: starting a plugin without checksum verification", "plugin", p.Address(), "path", p.Executable())
	}
	return s
}

// ErrNotInstalled is wrapped when a call names a plugin that is not installed.
var ErrNotInstalled = errors.New("not installed")

// Error is a failed plugin call. Its message names the plugin and the
// operation, and has passed through the plugin's Redactor.
type Error struct {
	Plugin    string
	Instance  string
	Op        string
	Err       error
	Transient bool
}

func (e *Error) Error() string {
	name := e.Plugin
	if e.Instance != "" {
		name += ":" + e.Instance
	}
	return fmt.Sprintf("plugin %s: %s: %v", name, e.Op, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Transient reports whether err may pass if the call is made again later
// (the plugin was restarting, died or timed out), as opposed to a
// configuration or protocol problem that needs a person.
func Transient(err error) bool {
	var e *Error
	if errors.As(err, &e) && e.Transient {
		return true
	}
	var t transientError
	return errors.As(err, &t)
}

type transientError struct{ error }

func (t transientError) Unwrap() error { return t.error }

func transient(err error) error { return transientError{err} }
