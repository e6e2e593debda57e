package lockfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// ConfigFile is sa's runtime config in the home, where development
// overrides are declared under plugins.dev_overrides.
const ConfigFile = "sa.yaml"

// ReadDevOverrides returns the development overrides home's sa.yaml
// declares: plugin addresses mapped to local builds, relative paths made
// absolute against home. It reads only that key, so the plugin host learns
// of overrides without depending on the runtime's config; the runtime
// checks the whole file strictly when it loads it. A home without sa.yaml
// has none.
func ReadDevOverrides(home string) (map[string]string, error) {
	path := filepath.Join(home, ConfigFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var doc struct {
		Plugins struct {
			DevOverrides map[string]string `yaml:"dev_overrides"`
		} `yaml:"plugins"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := map[string]string{}
	for addr, p := range doc.Plugins.DevOverrides {
		if !ValidAddress(addr) {
			return nil, fmt.Errorf("%s: plugins.dev_overrides: %q is not a plugin address (kind.name)", path, addr)
		}
		if p == "" {
			return nil, fmt.Errorf("%s: plugins.dev_overrides.%s: empty path", path, addr)
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(home, p)
		}
		out[addr] = p
	}
	return out, nil
}
