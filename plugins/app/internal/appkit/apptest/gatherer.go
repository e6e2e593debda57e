package apptest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/streamalert-go/sa/internal/testbin"
	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Gatherer runs one Gather of a configured app instance.
type Gatherer interface {
	// Gather polls from state within budget, handing each batch to emit;
	// an error from emit stops the poll.
	Gather(ctx context.Context, state []byte, budget time.Duration, emit func(saplugin.Batch) error) error
	// Crash loses whatever the plugin holds in memory, as a process that
	// died would.
	Crash(t testing.TB)
}

// App is the part of an app plugin the kit drives.
type App interface {
	saplugin.App
	saplugin.Validator
}

// Config runs raw through the app's schema and validation, as the SDK does
// before Gather, failing t on any problem.
func Config(t testing.TB, app App, raw map[string]any) schema.Config {
	t.Helper()
	cfg, problems := app.Schema().Apply(raw)
	if len(problems) == 0 {
		problems = app.ValidateConfig(cfg)
	}
	if len(problems) > 0 {
		t.Fatalf("configuration refused: %v", problems)
	}
	return cfg
}

// Problems returns what the app's schema and validation say about raw.
func Problems(app App, raw map[string]any) []schema.Problem {
	cfg, problems := app.Schema().Apply(raw)
	if len(problems) == 0 {
		problems = app.ValidateConfig(cfg)
	}
	return problems
}

// InProcess gathers by calling the app directly, bounding the call by the
// budget as the SDK does. A new App from New replaces it on Crash.
type InProcess struct {
	New      func() saplugin.App
	Instance string
	Config   schema.Config

	mu  sync.Mutex
	app saplugin.App
}

// Gather implements Gatherer.
func (g *InProcess) Gather(ctx context.Context, state []byte, budget time.Duration, emit func(saplugin.Batch) error) error {
	g.mu.Lock()
	if g.app == nil {
		g.app = g.New()
	}
	app := g.app
	g.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	return app.Gather(ctx, saplugin.GatherRequest{Instance: g.Instance, Config: g.Config, State: state, Budget: budget}, emit)
}

// Crash implements Gatherer.
func (g *InProcess) Crash(testing.TB) {
	g.mu.Lock()
	g.app = nil
	g.mu.Unlock()
}

// Binary gathers through the built plugin binary over gRPC, as the host
// does; Crash kills the process and starts a new one.
type Binary struct {
	Instance string
	Raw      map[string]any
	// Stderr collects the plugin's log, for leak checks.
	Stderr *Buffer

	path string
	c    *saplugin.Client
}

// StartBinary builds the plugin at pkg ("plugins/app/okta"), starts it
// and configures instance with raw. It is killed when the test ends.
func StartBinary(t testing.TB, pkg, instance string, raw map[string]any) *Binary {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the plugin binary")
	}
	b := &Binary{Instance: instance, Raw: raw, Stderr: &Buffer{}, path: testbin.Build(t, pkg)}
	b.start(t)
	t.Cleanup(func() { b.c.Kill() })
	return b
}

func (b *Binary) start(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := saplugin.Start(ctx, saplugin.ClientOptions{Cmd: exec.Command(b.path), Stderr: b.Stderr})
	if err != nil {
		t.Fatalf("start plugin: %v", err)
	}
	b.c = c
	cfg, err := structpb.NewStruct(b.Raw)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Conn.Base.Configure(ctx, &pluginv1.ConfigureRequest{Instance: b.Instance, Config: cfg})
	if err != nil || len(resp.GetProblems()) > 0 {
		t.Fatalf("configure: %v %v", err, resp.GetProblems())
	}
}

// Client is the running plugin's connection.
func (b *Binary) Client() *saplugin.Client { return b.c }

// Gather implements Gatherer.
func (b *Binary) Gather(ctx context.Context, state []byte, budget time.Duration, emit func(saplugin.Batch) error) error {
	ctx, cancel := context.WithTimeout(ctx, budget+10*time.Second)
	defer cancel()
	stream, err := b.c.Conn.App.Gather(ctx, &pluginv1.GatherRequest{Instance: b.Instance, State: state, Budget: durationpb.New(budget)})
	if err != nil {
		return err
	}
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := emit(saplugin.Batch{Logs: resp.GetLogs(), State: resp.GetState(), More: resp.GetMore()}); err != nil {
			return err
		}
	}
}

// Crash implements Gatherer.
func (b *Binary) Crash(t testing.TB) {
	b.c.Kill()
	b.start(t)
}

// Buffer is a bytes.Buffer safe for a plugin's log and a test to share.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
