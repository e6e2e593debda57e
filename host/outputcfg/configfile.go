package outputcfg

import (
	"fmt"
	"github.com/streamalert-go/sa/internal/atomicfile"
	"os"
	"reflect"

	"go.yaml.in/yaml/v3"
)

// configFile is sa.yaml as read before an edit: its bytes, to edit and to
// restore on rollback, and its outputs section decoded.
type configFile struct {
	path    string
	orig    []byte
	outputs map[string]map[string]any
}

func readConfigFile(path string) (*configFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Outputs map[string]map[string]any `yaml:"outputs"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &configFile{path: path, orig: data, outputs: doc.Outputs}, nil
}

// write replaces sa.yaml with data. The file is 0600 whatever it was: it
// names every destination the team alerts, and a mistyped credential may
// end up in it.
func (c *configFile) write(data []byte) error { return atomicfile.Write(c.path, data, 0o600) }

// restore puts back sa.yaml as it was read.
func (c *configFile) restore() error { return c.write(c.orig) }

// sameEntry reports whether the stored entry cur already holds props.
func sameEntry(cur map[string]any, props []prop) bool {
	m := map[string]any{}
	for _, p := range props {
		m[p.Name] = p.Value
	}
	b, err := yaml.Marshal(m)
	if err != nil {
		return false
	}
	var want map[string]any
	if err := yaml.Unmarshal(b, &want); err != nil {
		return false
	}
	if len(cur) == 0 && len(want) == 0 {
		return true
	}
	return reflect.DeepEqual(cur, want)
}
