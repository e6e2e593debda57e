package embedded

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"go.yaml.in/yaml/v3"

	sa "github.com/streamalert-go/sa"
	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/sdk/schema"
)

// InitOptions says what `sa init` writes beyond the defaults.
type InitOptions struct {
	// PluginDirs go into sa.yaml (for plugins built outside $SA_HOME).
	PluginDirs []string
	// Force overwrites an existing sa.yaml; conf, secrets and the key are
	// kept if present.
	Force bool
}

// InitResult is what a person needs after init.
type InitResult struct {
	Config *Config
	// Token is the sample source's ingest token, shown once; it is stored
	// encrypted.
	Token schema.Secret
}

// SampleSource is the ingest source `sa init` configures.
const SampleSource = "sample"

// Init writes a working home: the default conf and sample data, a secret
// key, the sample source's token in the secret store, and sa.yaml with a
// sample output that appends alerts to alerts.jsonl.
func Init(ctx context.Context, home string, opts InitOptions) (*InitResult, error) {
	home, err := filepath.Abs(home)
	if err != nil {
		return nil, err
	}
	cfgPath := filepath.Join(home, ConfigFile)
	if _, err := os.Stat(cfgPath); err == nil && !opts.Force {
		return nil, fmt.Errorf("%s exists; use --force to rewrite it", cfgPath)
	}
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, err
	}
	// The sample rules go where sa.yaml's rules directory is; the rest keep
	// their names.
	for src, dst := range map[string]string{"conf": "conf", "samples/logs": "samples", "samples/rules": "rules/sample", "matchers": "matchers"} {
		if err := copyTree(sa.Defaults, src, filepath.Join(home, filepath.FromSlash(dst))); err != nil {
			return nil, err
		}
	}
	key, err := initKey(filepath.Join(home, "secret.key"))
	if err != nil {
		return nil, err
	}
	st, err := secrets.New(filepath.Join(home, "secrets"), key)
	if err != nil {
		return nil, err
	}
	token, err := randomToken()
	if err != nil {
		return nil, err
	}
	if err := st.Put(ctx, "ingest/"+SampleSource, secrets.Value{"token": token}); err != nil {
		return nil, err
	}
	if err := os.WriteFile(cfgPath, sampleConfig(home, opts.PluginDirs), 0o600); err != nil {
		return nil, err
	}
	loaded, err := LoadConfig(home)
	if err != nil {
		return nil, fmt.Errorf("the config init wrote does not load: %w", err)
	}
	return &InitResult{Config: loaded, Token: token}, nil
}

// sampleConfig is the sa.yaml init writes: commented, so it teaches.
func sampleConfig(home string, pluginDirs []string) []byte {
	dirs, _ := yaml.Marshal(map[string][]string{"plugin_dirs": pluginDirs})
	if len(pluginDirs) == 0 {
		dirs = []byte("plugin_dirs: []\n")
	}
	return []byte(`# sa's runtime configuration; paths are relative to this directory.
# Credentials are never written here: they are kept encrypted in secrets/.

# HTTP ingest, /metrics and /healthz.
listen: 127.0.0.1:8800

# The StreamAlert-format configuration (schemas, clusters, outputs.json).
conf: conf

# Where plugins are found, after plugins/ in this directory.
` + string(dirs) + `
# Plugins that may act with the AWS credentials sa runs with (a Lambda
# function's or ECS task's role, an EKS service account). Unset: sa's own
# aws-* outputs. No other plugin ever sees them.
# aws_credentials: [output.aws-s3, output.aws-sqs]

# Where a Slack alert's title links for its rule ({rule} is its name);
# unset, a search of StreamAlert's repository, as StreamAlert linked.
# rule_link: https://git.example.com/detections/-/search?search={rule}

# sa plugin install: indexes searched in order, the publisher keys trusted,
# and the plugins this configuration needs (sa plugin install with no
# argument installs them; sa.lock pins what it chose). See docs/plugins.md.
# plugins:
#   indexes:
#     - name: acme
#       url: https://plugins.acme.example/index.json
#   trusted_keys:
#     - name: acme
#       key: ed25519:...          # from the publisher (sa plugin keygen prints it)
#   required:
#     - name: output.acme-tickets
#       constraint: ^1.2
#   platforms: [linux_amd64, darwin_arm64]   # also lock these platforms
#   dev_overrides:                           # run a local build, unchecked
#     output.acme-tickets: /home/me/src/acme-tickets/sa-output-acme-tickets

# Rule errors (a rule failing on records, or over its cost budget) raise
# one "sa_rule_error" alert per rule and error an hour, sent here.
rule_errors:
  outputs: [file:sample]

# Rule staging: rules new to a deployment alert to no output for a period,
# then are promoted if they stayed within their alert budget. Defaults to
# the conf's infrastructure.rule_staging.enabled; see sa rules --help.
# staging:
#   enabled: true
#   period: 48h
#   budget: 0
#   digest_output: file:sample   # daily digest of staged rules, at digest_at UTC
#   digest_at: "13:30"

# Threat intel (on when conf/threat_intel.json and a cluster enable it):
# IOC files read into the local store: *.json/*.jsonl IOC objects, or
# lists named <anything>.<type>.txt. Feed apps (sink: threat_intel) add to it.
# threat_intel:
#   files: [threat_intel]
#   refresh: 10m

# Ingest sources: POST records to /v1/ingest/<name> with the token as a
# bearer token. Records classify as if they came from service/resource, an
# entry of a cluster's data_sources in conf/clusters.
sources:
  - name: sample
    service: kinesis
    resource: sa_sample
    token: ingest/sample

# Output instances, by service:descriptor: the properties that are not
# credentials. The sample appends alerts to alerts.jsonl in this directory.
outputs:
  file:sample:
    path: ` + strconv.Quote(filepath.Join(home, "alerts.jsonl")) + `
`)
}

// initKey keeps an existing key: replacing it would make every stored
// secret unreadable.
func initKey(path string) (*secrets.Key, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if _, err := secrets.GenerateKey(path); err != nil {
			return nil, err
		}
	}
	return secrets.LoadKey(path)
}

func randomToken() (schema.Secret, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return schema.Secret(base64.RawURLEncoding.EncodeToString(b)), nil
}

// copyTree copies dir from fsys to dst, keeping files that exist: a rerun
// of init never overwrites a person's edits.
func copyTree(fsys fs.FS, dir, dst string) error {
	return fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if _, err := os.Stat(target); err == nil {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
