package pluginhost

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// ErrMismatch is wrapped when a plugin's Describe disagrees with its
// manifest. Restarting cannot fix it, so the plugin is marked failed at once.
var ErrMismatch = errors.New("plugin does not match its manifest")

// ErrProtocol is wrapped when the plugin and the host share no protocol
// version. Restarting cannot fix it either.
var ErrProtocol = errors.New("no common protocol version")

// process is one started plugin process.
type process struct {
	client  *saplugin.Client
	conn    *saplugin.Conn
	version int
	info    *pluginv1.Info
	schema  schema.Schema
	started time.Time
}

// alive reports whether the process has not exited.
func (p *process) alive() bool { return !p.client.Exited() }

// gracePeriod bounds a graceful shutdown. go-plugin's Kill asks the plugin
// to shut down with no deadline of its own, so a hung plugin would hang it.
const gracePeriod = 3 * time.Second

// kill stops the process and, with SIGKILL, its whole process group in case
// it started children. A graceful kill asks the plugin to shut down first;
// a hard one, for crashed or hung processes, does not wait for an answer
// that will not come.
func (p *process) kill(graceful bool) {
	pid := 0
	if rc := p.client.ReattachConfig(); rc != nil {
		pid = rc.Pid
	}
	if !graceful {
		killGroup(pid)
	}
	done := make(chan struct{})
	go func() {
		p.client.Kill()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(gracePeriod):
		killGroup(pid)
		<-done
	}
	killGroup(pid)
}

// launchSpec is what a launch needs beyond the manifest.
type launchSpec struct {
	plugin       *Installed
	env          []string
	instance     string
	versions     []int
	startTimeout time.Duration
	stderr       *relay
	// verify is false only for development overrides, which also skip the
	// version checks of Describe: a local build moves on between registers.
	verify   bool
	override bool
	// pin, when set, checks the plugin's files against sa.lock.
	pin func() error
}

// launch verifies, starts and cross-checks one plugin process.
func launch(ctx context.Context, s launchSpec) (*process, error) {
	cmd, sum, err := command(s)
	if err != nil {
		return nil, err
	}
	c, err := saplugin.Start(ctx, saplugin.ClientOptions{
		Cmd:          cmd,
		SHA256:       sum,
		Versions:     s.versions,
		Stderr:       s.stderr,
		StartTimeout: s.startTimeout,
	})
	if err != nil {
		return nil, startError(err)
	}
	p := &process{client: c, conn: c.Conn, version: c.Version, started: time.Now()}
	if err := p.describe(ctx, s.plugin.Manifest, s.override); err != nil {
		p.kill(false)
		return nil, err
	}
	return p, nil
}

// command builds the plugin's command line and environment. A compiled
// plugin's checksum is checked by go-plugin right before exec; an
// interpreted plugin's files are checked here, since the process go-plugin
// would check is the interpreter.
func command(s launchSpec) (*exec.Cmd, []byte, error) {
	m := s.plugin.Manifest
	var cmd *exec.Cmd
	var sum []byte
	if s.verify && s.pin != nil {
		// The lock's tree hash covers plugin.json too, so once it passes,
		// the manifest checksums below are the lock's own.
		if err := s.pin(); err != nil {
			return nil, nil, err
		}
	}
	if len(m.Command) == 0 {
		cmd = exec.Command(s.plugin.Executable())
		if s.verify {
			b, err := hex.DecodeString(m.SHA256)
			if err != nil {
				return nil, nil, fmt.Errorf("manifest sha256: %w", err)
			}
			sum = b
			if len(m.Files) > 0 {
				if err := Verify(s.plugin); err != nil {
					return nil, nil, err
				}
			}
		}
	} else {
		if s.verify {
			if err := Verify(s.plugin); err != nil {
				return nil, nil, err
			}
		}
		bin, err := LookPath(m.Command[0], envValue(s.env, "PATH"))
		if err != nil {
			return nil, nil, err
		}
		cmd = exec.Command(bin, m.Command[1:]...)
	}
	cmd.Dir = s.plugin.Dir
	cmd.Env = slices.Clone(s.env)
	cmd.Env = append(cmd.Env, saplugin.EnvPluginName+"="+s.plugin.Address())
	if s.instance != "" {
		cmd.Env = append(cmd.Env, saplugin.EnvInstance+"="+s.instance)
	}
	return cmd, sum, nil
}

// LookPath finds an interpreter on the plugin's PATH, not the host's: the
// plugin runs with the plugin environment, so that is what it would see.
func LookPath(name, path string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	for _, dir := range filepath.SplitList(path) {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("command %q not found on the plugin PATH %q", name, path)
}

func envValue(env []string, key string) string {
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// startError makes go-plugin's start failures say what the user can do.
func startError(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "checksums did not match"):
		return fmt.Errorf("%w: the executable was changed after install; reinstall the plugin", ErrChecksum)
	case strings.Contains(msg, "Incompatible API version"), strings.Contains(msg, "incompatible API version"):
		return fmt.Errorf("%w: %s", ErrProtocol, msg)
	case strings.Contains(msg, "Unrecognized remote plugin message"):
		first, _, _ := strings.Cut(msg, "\n")
		return fmt.Errorf("the plugin wrote something other than the handshake on standard output (%s); plugins must log to standard error", strings.TrimSpace(first))
	}
	return err
}

// describe calls Describe and checks the answer against the manifest. A
// development override need only keep its name and kind.
func (p *process) describe(ctx context.Context, m *Manifest, override bool) error {
	resp, err := p.conn.Describe(ctx, p.version)
	if err != nil {
		return fmt.Errorf("describe: %w", err)
	}
	info := resp.GetInfo()
	kind := saplugin.KindFromProto(info.GetKind())
	var diffs []string
	if m.Name == "" {
		// Probing a binary that has no manifest yet (registration).
		m = &Manifest{Name: info.GetName(), Kind: string(kind), Version: info.GetVersion(), Protocols: protocols(info)}
	}
	if info.GetName() != m.Name {
		diffs = append(diffs, fmt.Sprintf("name %q, manifest says %q", info.GetName(), m.Name))
	}
	if string(kind) != m.Kind {
		diffs = append(diffs, fmt.Sprintf("kind %q, manifest says %q", kind, m.Kind))
	}
	if info.GetVersion() != m.Version && !override {
		diffs = append(diffs, fmt.Sprintf("version %q, manifest says %q", info.GetVersion(), m.Version))
	}
	pv := protocols(info)
	if !slices.Contains(pv, p.version) {
		diffs = append(diffs, fmt.Sprintf("protocols %v do not include the negotiated version %d", pv, p.version))
	}
	if !override && !slices.Equal(slices.Sorted(slices.Values(pv)), slices.Sorted(slices.Values(m.Protocols))) {
		diffs = append(diffs, fmt.Sprintf("protocols %v, manifest says %v", pv, m.Protocols))
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%w: it reports %s", ErrMismatch, strings.Join(diffs, "; "))
	}
	s, err := saplugin.SchemaFromProto(resp.GetSchema())
	if err != nil {
		return fmt.Errorf("%w: schema: %v", ErrMismatch, err)
	}
	if err := s.Check(); err != nil {
		return fmt.Errorf("%w: schema: %v", ErrMismatch, err)
	}
	p.conn.Kind = kind
	p.info = info
	p.schema = s
	return nil
}

func protocols(info *pluginv1.Info) []int {
	var pv []int
	for _, v := range info.GetProtocolVersions() {
		pv = append(pv, int(v))
	}
	return pv
}
