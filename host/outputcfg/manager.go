package outputcfg

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/internal/flock"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Plugins is what the package needs of the plugin host: an installed
// plugin's cached schema, which needs no process, and the plugin's own
// check of a configuration, which starts it. *pluginhost.Host is one.
type Plugins interface {
	Plugin(addr string) (*pluginhost.Installed, bool)
	Validate(ctx context.Context, addr string, cfg map[string]any) ([]schema.Problem, error)
}

// Options says where an instance's three places are.
type Options struct {
	// ConfigFile is the runtime's sa.yaml.
	ConfigFile string
	// OutputsFile is the conf directory's outputs.json.
	OutputsFile string
	Secrets     secrets.Store
	Plugins     Plugins
}

// Manager edits output instances. Its methods may be called from several
// processes on one home at once; they take turns.
type Manager struct {
	opts Options
}

// New returns a Manager for the places in opts.
func New(opts Options) *Manager { return &Manager{opts: opts} }

// Errors, for errors.Is; the errors returned wrap them with the instance
// and what to do.
var (
	// ErrExists: a new instance's name is taken.
	ErrExists = errors.New("already configured")
	// ErrNotFound: the instance is configured nowhere.
	ErrNotFound = errors.New("not configured")
	// ErrNoPlugin: no output plugin of that name is installed.
	ErrNoPlugin = errors.New("no such output plugin installed")
)

// InvalidError is a configuration that failed its checks; Problems name
// each field and never quote a value.
type InvalidError struct {
	ID       ID
	Problems []schema.Problem
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("%s: %v", e.ID, schema.ProblemsError(e.Problems))
}

// Schema returns the schema of service's output plugin, as cached in its
// manifest at install.
func (m *Manager) Schema(service string) (schema.Schema, error) {
	p, ok := m.opts.Plugins.Plugin(ID{Service: service}.Plugin())
	if !ok {
		return schema.Schema{}, fmt.Errorf("output %s: %w (see sa plugin list)", service, ErrNoPlugin)
	}
	return schema.Schema{Properties: p.Manifest.Schema}, nil
}

// lock serializes the read-modify-write of one home's files.
func (m *Manager) lock() (func(), error) {
	return flock.Lock(filepath.Join(filepath.Dir(m.opts.ConfigFile), ".sa-output.lock"))
}

// state is what is stored about one instance before a change.
type state struct {
	config  *configFile
	outputs *outputsFile
	// secret is the stored credential value, nil when there is none;
	// secretErr says why it could not be read, when it could not.
	secret    secrets.Value
	hasSecret bool
	secretErr error
}

// inConfig and inOutputs say where the instance is configured.
func (s *state) inConfig(id ID) bool {
	_, ok := s.config.outputs[id.String()]
	return ok
}

func (s *state) inOutputs(id ID) bool {
	_, ok := s.outputs.lookup(id)
	return ok
}

// load reads the files and, when the name is a valid secret name, the
// instance's stored credentials.
func (m *Manager) load(ctx context.Context, id ID) (*state, error) {
	cfg, err := readConfigFile(m.opts.ConfigFile)
	if err != nil {
		return nil, err
	}
	out, err := readOutputsFile(m.opts.OutputsFile)
	if err != nil {
		return nil, err
	}
	st := &state{config: cfg, outputs: out}
	if secrets.ValidateName(id.SecretName()) != nil {
		return st, nil
	}
	v, err := m.opts.Secrets.Get(ctx, id.SecretName())
	switch {
	case errors.Is(err, secrets.ErrNotFound):
	case err != nil:
		st.hasSecret, st.secretErr = true, err
	default:
		st.secret, st.hasSecret = v, true
	}
	return st, nil
}
