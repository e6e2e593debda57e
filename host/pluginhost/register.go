package pluginhost

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// TemplateFile is an interpreted plugin's manifest without checksums or
// schema; Register completes it into plugin.json.
const TemplateFile = "plugin.json.in"

// Register writes the manifest of a plugin built in place: for a compiled
// plugin, path is its binary and the manifest comes from what the binary
// describes; for an interpreted plugin, path is its directory, which holds
// a plugin.json.in naming the command, and every file in the directory is
// checksummed. In both cases the plugin is started once to Describe it and
// its answer is checked, and the schema is cached in the manifest.
//
// Register trusts the files it is given: it is how a developer or a build
// installs plugins it made. Plugins from elsewhere are installed with
// checksums and signatures checked against an index.
func Register(ctx context.Context, path string, env []string, log *slog.Logger) (*Manifest, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	var m *Manifest
	dir := path
	if fi.IsDir() {
		m, err = fromTemplate(dir)
	} else {
		dir = filepath.Dir(path)
		m = &Manifest{Executable: filepath.Base(path)}
	}
	if err != nil {
		return nil, err
	}
	if m.SHA256, err = FileSHA256(filepath.Join(dir, m.Executable)); err != nil {
		return nil, err
	}
	if env == nil {
		env = DefaultEnv()
	}
	p := &Installed{Manifest: m, Dir: dir}
	proc, err := launch(ctx, launchSpec{plugin: p, env: env, startTimeout: 30 * time.Second, stderr: newRelay(log.With("plugin", path), &Redactor{}), verify: false})
	if err != nil {
		return nil, fmt.Errorf("register %s: %w", path, err)
	}
	defer proc.kill(true)
	info := proc.info
	m.Name, m.Kind, m.Version = info.GetName(), string(proc.conn.Kind), info.GetVersion()
	m.Protocols, m.Description, m.Schema = protocols(info), info.GetDescription(), proc.schema.Properties
	if err := m.Check(); err != nil {
		return nil, fmt.Errorf("register %s: %w", path, err)
	}
	if err := WriteManifest(dir, m); err != nil {
		return nil, err
	}
	return m, nil
}

// fromTemplate reads plugin.json.in and checksums the directory's files.
func fromTemplate(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, TemplateFile))
	if err != nil {
		return nil, fmt.Errorf("%s holds no %s: %w", dir, TemplateFile, err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, TemplateFile), err)
	}
	if len(m.Command) == 0 || m.Executable == "" {
		return nil, fmt.Errorf("%s: an interpreted plugin needs executable and command", filepath.Join(dir, TemplateFile))
	}
	m.Files = map[string]string{}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.IsDir() && (d.Name() == "__pycache__" || strings.HasPrefix(d.Name(), ".") && rel != "."):
			return filepath.SkipDir
		case d.IsDir(), rel == ManifestFile, rel == m.Executable:
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			return fmt.Errorf("%s: symlinks are not allowed in a plugin directory", p)
		case !d.Type().IsRegular():
			return nil
		}
		sum, err := FileSHA256(p)
		m.Files[filepath.ToSlash(rel)] = sum
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(m.Files) == 0 {
		m.Files = nil
	}
	return &m, nil
}
