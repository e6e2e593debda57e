package plugin

import (
	"context"
	"log/slog"
	"os"
	"runtime/pprof"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// stderr is the process's real standard error, kept before go-plugin
// redirects os.Stderr into its stdio stream, so logs reach the host's log
// relay directly and in order.
var stderr = os.Stderr

// Logger returns a structured logger writing JSON lines to standard error,
// which the host relays into its own log under the plugin's name. Never log
// secret values; schema.Secret logs as "<secret>".
func Logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// ServeParser serves a parser plugin until the host stops it.
func ServeParser(p Parser) { serve(KindParser, p) }

// ServeOutput serves an output plugin until the host stops it.
func ServeOutput(o Output) { serve(KindOutput, o) }

// ServeApp serves an app plugin until the host stops it.
func ServeApp(a App) { serve(KindApp, a) }

func serve(kind Kind, impl Plugin) {
	if err := impl.Schema().Check(); err != nil {
		Logger().Error("plugin schema is invalid", "error", err.Error())
		os.Exit(1)
	}
	go watchParent(context.Background(), time.Second)
	stop := startProfile(os.Getenv(EnvCPUProfile))
	goplugin.Serve(ServeConfig(kind, impl))
	stop()
}

// EnvCPUProfile names a file the plugin writes a CPU profile to, from start
// to shutdown, when the host's plugin environment sets it.
const EnvCPUProfile = "SA_PLUGIN_CPUPROFILE"

func startProfile(path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		Logger().Error("cpu profile", "error", err.Error())
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		Logger().Error("cpu profile", "error", err.Error())
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// ServeConfig is the go-plugin configuration Serve uses; tests use it with
// goplugin.ServeTestConfig to serve a plugin inside the test process.
func ServeConfig(kind Kind, impl Plugin) *goplugin.ServeConfig {
	sets := map[int]goplugin.PluginSet{}
	for _, v := range ProtocolVersions {
		sets[v] = goplugin.PluginSet{string(kind): &GRPCPlugin{Kind: kind, Impl: impl}}
	}
	return &goplugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: sets,
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			return grpc.NewServer(append(opts, serverOptions()...)...)
		},
		Logger: hclog.New(&hclog.LoggerOptions{
			Name:       impl.Info().Name,
			Output:     stderr,
			JSONFormat: true,
			Level:      hclog.Warn,
		}),
	}
}

// watchParent exits the plugin when the host that started it is gone, so a
// host killed with SIGKILL leaves no plugin behind even where the kernel's
// parent-death signal is unavailable.
func watchParent(ctx context.Context, every time.Duration) {
	parent := os.Getppid()
	if parent <= 1 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if os.Getppid() != parent {
				os.Exit(3)
			}
		}
	}
}
