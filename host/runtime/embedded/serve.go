package embedded

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"github.com/streamalert-go/sa/host/alert"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/dispatch"
	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/host/store/sqlite"
)

// Parts are the pipeline stages a Server runs that are built elsewhere,
// from the loaded configuration: rules, the dead letter store, and the
// background loops (merger, dispatcher, app scheduler).
type Parts struct {
	Rules      Rules
	DeadLetter DeadLetter
	// Loops run until their context ends; the server waits for them on
	// shutdown.
	Loops []func(ctx context.Context)
	// AlertsAdded is called after alerts are committed.
	AlertsAdded func()
	// Committed, when set, is told of every batch of alerts the pipeline
	// committed.
	Committed func([]*alert.Alert)
	// AppSinks receive the logs of apps whose sink is not classification,
	// by sink name. A sink durably keeps what it returns nil for.
	AppSinks map[string]func(app string, logs [][]byte) error
	// Close releases what the parts hold, after the loops stopped.
	Close func()
}

// Env is what the parts are built from.
type Env struct {
	Home    string
	Config  *Config
	Conf    *config.Config
	Store   *sqlite.Store
	Secrets secrets.Store
	Plugins *pluginhost.Host
	Log     *slog.Logger
	// Observer counts delivery attempts in the server's metrics.
	Observer dispatch.Observer
}

// Server is a running embedded sa.
type Server struct {
	env      Env
	parts    Parts
	pipeline *pipeline
	// apps polls the app instances; sa serve runs it, sa app run uses it
	// for one instance.
	apps    *scheduler
	metrics *metrics
	http    *http.Server
	ln      net.Listener
}

// BuildParts builds Parts from an Env.
type BuildParts func(ctx context.Context, env Env) (Parts, error)

// AddrFile, in the home, holds the address a running sa serve listens on,
// so clients find it even when sa.yaml says port 0.
const AddrFile = "serve.addr"

// ServeAddr returns the address of the server running on home, from
// AddrFile, or sa.yaml's listen address when none is running.
func ServeAddr(home string, cfg *Config) string {
	if b, err := os.ReadFile(filepath.Join(home, AddrFile)); err == nil {
		if a := strings.TrimSpace(string(b)); a != "" {
			return a
		}
	}
	return cfg.Listen
}

// Options tune Open.
type Options struct {
	// Build builds the stages; DefaultParts when nil.
	Build BuildParts
	// PluginDirs are searched after $SA_HOME/plugins and sa.yaml's.
	PluginDirs []string
	Log        *slog.Logger
}

// Open loads home's configuration, opens the store and secrets, finds the
// plugins and builds the pipeline; Serve then runs it.
func Open(ctx context.Context, home string, opts Options) (*Server, error) {
	build, log := opts.Build, opts.Log
	if build == nil {
		build = DefaultParts
	}
	if log == nil {
		log = slog.Default()
	}
	cfg, err := LoadConfig(home)
	if err != nil {
		return nil, err
	}
	conf, err := config.Load(cfg.Conf)
	if err != nil {
		return nil, fmt.Errorf("conf %s: %w", cfg.Conf, err)
	}
	for _, w := range conf.Warnings {
		log.Warn("conf", "warning", w.String())
	}
	st, err := sqlite.Open(ctx, cfg.Store, sqlite.Options{})
	if err != nil {
		return nil, err
	}
	key, err := secrets.LoadKey(cfg.SecretKey)
	if err != nil {
		st.Close()
		return nil, err
	}
	sec, err := secrets.New(cfg.Secrets, key)
	if err != nil {
		st.Close()
		return nil, err
	}
	dirs := append(append([]string{filepath.Join(home, "plugins")}, cfg.PluginDirs...), opts.PluginDirs...)
	plugins := pluginhost.New(cfg.PluginOptions(dirs, log))
	env := Env{Home: home, Config: cfg, Conf: conf, Store: st, Secrets: sec, Plugins: plugins, Log: log}
	s, err := newServer(ctx, env, build)
	if err != nil {
		plugins.Close()
		st.Close()
		return nil, err
	}
	return s, nil
}

func newServer(ctx context.Context, env Env, build BuildParts) (*Server, error) {
	s := &Server{env: env}
	s.metrics = newMetrics(gauges{journalDepth: s.journalDepth, pendingDeliveries: s.pendingDeliveries, plugins: env.Plugins.Statuses})
	env.Observer = s.metrics.Pipeline
	classifier, err := classify.New(env.Conf, classify.Options{
		Parsers: classify.Fallback(env.Plugins, classify.Builtin()), Logger: env.Log,
	})
	if err != nil {
		return nil, err
	}
	parts, err := build(ctx, env)
	if err != nil {
		return nil, err
	}
	s.env, s.parts = env, parts
	wake := make(chan struct{}, 1)
	s.pipeline = &pipeline{
		journal: env.Store, classify: classifier, rules: parts.Rules, dead: parts.DeadLetter,
		metrics: s.metrics, log: env.Log, wake: wake, idle: time.Second, alertsAdded: parts.AlertsAdded,
		committed: parts.Committed,
	}
	in, err := s.ingest(ctx, wakeFunc(wake))
	if err != nil {
		return nil, err
	}
	s.apps = &scheduler{apps: env.Config.Apps, plugins: env.Plugins, journal: env.Store, wake: wakeFunc(wake),
		sinks: parts.AppSinks, locks: filepath.Join(env.Home, "locks"), metrics: s.metrics, log: env.Log}
	s.apps.configure(env.Secrets)
	mux := http.NewServeMux()
	mux.Handle("POST /v1/ingest/{source}", in)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", s.healthz)
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute}
	return s, nil
}

// ingest builds the ingest handler; each source's token is read once and
// only its hash kept.
func (s *Server) ingest(ctx context.Context, wake func()) (*ingest, error) {
	in := &ingest{
		journal: s.env.Store, sources: map[string]*ingestSource{}, limits: s.env.Config.Limits,
		decode: DecodeBody, wake: wake, metrics: s.metrics, log: s.env.Log,
	}
	for _, src := range s.env.Config.Sources {
		v, err := s.env.Secrets.Get(ctx, src.Token)
		if err != nil {
			return nil, fmt.Errorf("source %s: token %s: %w", src.Name, src.Token, err)
		}
		tok := v["token"].Reveal()
		if tok == "" {
			return nil, fmt.Errorf("source %s: secret %s has no token property", src.Name, src.Token)
		}
		in.sources[src.Name] = &ingestSource{Source: src, tokenHash: sha256.Sum256([]byte(tok))}
	}
	return in, nil
}

// Serve listens and runs the pipeline and loops until ctx ends, then shuts
// down in order: stop accepting, finish or leave in-flight work (leases and
// the journal make anything unfinished resume after a restart), stop the
// plugins, close the store.
func (s *Server) Serve(ctx context.Context) error {
	if s.ln == nil {
		if _, err := s.Listen(); err != nil {
			return err
		}
	}
	ln := s.ln
	var err error
	addrFile := filepath.Join(s.env.Home, AddrFile)
	if werr := os.WriteFile(addrFile, []byte(ln.Addr().String()+"\n"), 0o644); werr != nil {
		s.env.Log.Warn("cannot record the listening address", "file", addrFile, "error", werr.Error())
	}
	defer os.Remove(addrFile)
	s.env.Log.Info("sa serving", "listen", ln.Addr().String(), "home", s.env.Home)
	runCtx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { s.pipeline.run(runCtx) })
	wg.Go(func() { s.apps.run(runCtx) })
	for _, loop := range s.parts.Loops {
		wg.Go(func() { loop(runCtx) })
	}
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	s.env.Log.Info("sa shutting down")
	shutCtx, done := context.WithTimeout(context.Background(), 15*time.Second)
	defer done()
	_ = s.http.Shutdown(shutCtx)
	cancel()
	wg.Wait()
	s.closeParts()
	s.env.Plugins.Close()
	s.env.Store.Close()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func (s *Server) closeParts() {
	if s.parts.Close != nil {
		s.parts.Close()
	}
}

// Listen opens the server's listening socket and returns its address;
// Serve calls it if it was not called before.
func (s *Server) Listen() (string, error) {
	ln, err := net.Listen("tcp", s.env.Config.Listen)
	if err != nil {
		return "", fmt.Errorf("listen on %s: %w", s.env.Config.Listen, err)
	}
	s.ln = ln
	return ln.Addr().String(), nil
}

func (s *Server) journalDepth() float64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, n, err := s.env.Store.Depth(ctx)
	if err != nil {
		return -1
	}
	return float64(n)
}

func (s *Server) pendingDeliveries() float64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := s.env.Store.PendingDeliveries(ctx)
	if err != nil {
		return -1
	}
	return float64(n)
}

// healthz answers 200 when the store answers, with the state of every
// plugin the server started; a failed plugin is reported, not fatal.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	entries, records, err := s.env.Store.Depth(ctx)
	if err != nil {
		httpError(w, http.StatusServiceUnavailable, "store: "+err.Error())
		return
	}
	var plugins []map[string]any
	for _, st := range s.env.Plugins.Statuses() {
		plugins = append(plugins, map[string]any{"plugin": st.Address, "instance": st.Instance, "state": st.State, "restarts": st.Restarts, "error": st.LastError})
	}
	w.Header().Set("Content-Type", "application/json")
	writeJSON(w, map[string]any{"status": "ok", "journal": map[string]int64{"entries": entries, "records": records}, "plugins": plugins})
}

// uniqueDirs drops repeated directories, keeping the first: a directory
// named in sa.yaml and on the command line is searched once.
func uniqueDirs(dirs []string) []string {
	var out []string
	for _, d := range dirs {
		if !slices.Contains(out, filepath.Clean(d)) {
			out = append(out, filepath.Clean(d))
		}
	}
	return out
}
