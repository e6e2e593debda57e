package install

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"

	"github.com/Masterminds/semver/v3"

	"github.com/streamalert-go/sa/host/install/lockfile"
)

// Config is the plugins section of sa.yaml.
type Config struct {
	// Indexes are searched in order; the first that lists a plugin wins.
	Indexes []IndexConfig `yaml:"indexes"`
	// TrustedKeys are the publisher keys whose signatures sa accepts
	// without --allow-untrusted.
	TrustedKeys []TrustedKey `yaml:"trusted_keys"`
	// Required are the plugins `sa plugin install` with no argument
	// installs.
	Required []Requirement `yaml:"required"`
	// Platforms are locked beside the one sa runs on, so a lock written on
	// a laptop also verifies installs on the servers ("linux_amd64").
	Platforms []string `yaml:"platforms"`
	// CacheDir holds downloaded archives by sha256, shared by every home
	// of the user ($SA_PLUGIN_CACHE_DIR, else the user cache dir's
	// sa/plugins).
	CacheDir string `yaml:"cache_dir"`
	// DevOverrides point plugin addresses at local builds, which sa then
	// starts without any checksum check and with a warning each time.
	// Relative paths are relative to the home.
	DevOverrides map[string]string `yaml:"dev_overrides"`
}

// IndexConfig is one plugin index.
type IndexConfig struct {
	Name string `yaml:"name"`
	// URL is the index document: https://..., or file:// for a local or
	// mirrored index.
	URL string `yaml:"url"`
	// CAFile is a PEM bundle trusted for the index's TLS, beside the
	// system's roots.
	CAFile string `yaml:"ca_file"`
	// TokenEnv names an environment variable holding a bearer token sent
	// to the index's own host, never to others.
	TokenEnv string `yaml:"token_env"`
}

// TrustedKey is a publisher's signing key.
type TrustedKey struct {
	// Name is the publisher, shown when its signature is verified.
	Name string `yaml:"name"`
	// Key is "ed25519:<base64 public key>", as sa plugin keygen prints it.
	Key string `yaml:"key"`
}

// Requirement is a plugin the configuration needs.
type Requirement struct {
	// Name is the plugin's address ("output.webhook") or name.
	Name string `yaml:"name"`
	// Index names the index to take it from; empty means the first that
	// lists it.
	Index string `yaml:"index"`
	// Constraint limits the versions chosen ("^1.2", ">= 1.0, < 2").
	Constraint string `yaml:"constraint"`
}

var (
	indexNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	envNameRE   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// Check reports every problem with the section, each naming its key
// under plugins.
func (c *Config) Check() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("plugins.%s: "+format, append([]any{key}, args...)...))
	}
	names := map[string]bool{}
	for i, ix := range c.Indexes {
		at := fmt.Sprintf("indexes[%d]", i)
		switch {
		case !indexNameRE.MatchString(ix.Name):
			bad(at+".name", "%q: want 1-64 letters, digits, '_', '.' or '-'", ix.Name)
		case names[ix.Name]:
			bad(at+".name", "%q is used twice", ix.Name)
		}
		names[ix.Name] = true
		if u, err := url.Parse(ix.URL); err != nil || (u.Scheme != "https" && u.Scheme != "file") {
			bad(at+".url", "%q: want an https:// or file:// URL", ix.URL)
		}
		if ix.TokenEnv != "" && !envNameRE.MatchString(ix.TokenEnv) {
			bad(at+".token_env", "%q is not an environment variable name", ix.TokenEnv)
		}
	}
	for i, k := range c.TrustedKeys {
		at := fmt.Sprintf("trusted_keys[%d]", i)
		if k.Name == "" {
			bad(at+".name", "required: the publisher's name")
		}
		if _, err := ParsePublicKey(k.Key); err != nil {
			bad(at+".key", "%v", err)
		}
	}
	for i, r := range c.Required {
		at := fmt.Sprintf("required[%d]", i)
		if _, err := ParseName(r.Name); err != nil {
			bad(at+".name", "%v", err)
		}
		if r.Index != "" && !names[r.Index] {
			bad(at+".index", "%q is not one of plugins.indexes", r.Index)
		}
		if r.Constraint != "" {
			if _, err := semver.NewConstraint(r.Constraint); err != nil {
				bad(at+".constraint", "%q: %v", r.Constraint, err)
			}
		}
	}
	for i, p := range c.Platforms {
		if !lockfile.ValidPlatform(p) || p == lockfile.Any {
			bad(fmt.Sprintf("platforms[%d]", i), "%q is not os_arch (linux_amd64, darwin_arm64, ...)", p)
		}
	}
	for addr, p := range c.DevOverrides {
		if !lockfile.ValidAddress(addr) {
			bad("dev_overrides", "%q is not a plugin address (kind.name)", addr)
		} else if p == "" {
			bad("dev_overrides."+addr, "empty path")
		}
	}
	return errors.Join(errs...)
}

// Index returns the index named name.
func (c *Config) Index(name string) (IndexConfig, bool) {
	for _, ix := range c.Indexes {
		if ix.Name == name {
			return ix, true
		}
	}
	return IndexConfig{}, false
}

// Cache returns the download cache directory.
func (c *Config) Cache() (string, error) {
	if c.CacheDir != "" {
		return c.CacheDir, nil
	}
	if d := os.Getenv("SA_PLUGIN_CACHE_DIR"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no plugins.cache_dir, no $SA_PLUGIN_CACHE_DIR and no user cache directory: %w", err)
	}
	return filepath.Join(d, "sa", "plugins"), nil
}

// Resolve makes relative paths absolute against home.
func (c *Config) Resolve(home string) {
	abs := func(p string) string {
		if p != "" && !filepath.IsAbs(p) {
			return filepath.Join(home, p)
		}
		return p
	}
	c.CacheDir = abs(c.CacheDir)
	for i := range c.Indexes {
		c.Indexes[i].CAFile = abs(c.Indexes[i].CAFile)
	}
	for a, p := range c.DevOverrides {
		c.DevOverrides[a] = abs(p)
	}
}
