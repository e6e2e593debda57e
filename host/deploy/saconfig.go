package deploy

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/streamalert-go/sa/host/runtime/embedded"
)

// machineKeys are the sa.yaml keys of the embedded runtime's machine: its
// HTTP listener and ingest sources, SQLite store, local secrets and dead
// letter directory, and the plugin installer. The AWS runtime replaces
// each with an AWS service, so the package's sa.yaml drops them.
var machineKeys = []string{"listen", "sources", "store", "secrets", "secret_key", "dead_letter", "plugin_dirs", "plugins"}

// packDirs copies dirs into pkg/name (one dir) or pkg/name/<i> (several)
// and returns their paths relative to pkg. Missing dirs are skipped with a
// warning, as sa serve finds nothing in them either.
func packDirs(dirs []string, pkg, name string, log *slog.Logger) ([]string, error) {
	out := []string{}
	for _, d := range dirs {
		if _, err := os.Stat(d); os.IsNotExist(err) {
			log.Warn("not packaged: directory does not exist", "kind", name, "dir", d)
			continue
		}
		rel := name
		if len(dirs) > 1 {
			rel = filepath.Join(name, strconv.Itoa(len(out)))
		}
		if err := copyTree(d, filepath.Join(pkg, rel)); err != nil {
			return nil, fmt.Errorf("%s %s: %w", name, d, err)
		}
		out = append(out, filepath.ToSlash(rel))
	}
	return out, nil
}

// writePackageConfig writes pkg/sa.yaml: home's sa.yaml with the machine
// keys dropped and the paths pointing into the package. Everything else
// (outputs, apps, isolation, staging, rule errors) is kept as written.
func writePackageConfig(home, pkg string, rules, matchers []string) error {
	src := filepath.Join(home, embedded.ConfigFile)
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	doc := map[string]any{}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	for _, k := range machineKeys {
		delete(doc, k)
	}
	// IOCs live in DynamoDB on AWS, not in files.
	if ti, ok := doc["threat_intel"].(map[string]any); ok {
		delete(ti, "files")
	}
	doc["conf"], doc["rules"], doc["matchers"] = "conf", rules, matchers
	out, err := yaml.Marshal(doc)
	if err != nil {
		return err
	}
	header := []byte("# sa.yaml of the AWS deployment package, written by sa deploy from " + src + ".\n")
	return os.WriteFile(filepath.Join(pkg, embedded.ConfigFile), append(header, out...), 0o644)
}
