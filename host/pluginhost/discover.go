// Package pluginhost finds, verifies, starts, supervises and talks to sa's
// plugin processes. It is the only part of the host that speaks the plugin
// protocol; everything else calls it with the SDK's domain types.
//
// A plugin is started when something first uses it, checked against its
// manifest (checksum before exec, Describe after the handshake), health
// checked while it runs, and restarted with backoff when it crashes or
// hangs, until repeated failure marks it failed. One process serves every
// configured instance of a plugin unless the plugin is isolated, in which
// case each instance gets its own process.
package pluginhost

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Installed is a plugin found on disk, not yet started.
type Installed struct {
	Manifest *Manifest
	// Dir is the directory holding the manifest and the plugin's files.
	Dir string
}

// Address is the plugin's "kind.name".
func (p *Installed) Address() string { return p.Manifest.Address() }

// Executable is the absolute path of the file whose checksum the manifest
// records.
func (p *Installed) Executable() string { return filepath.Join(p.Dir, p.Manifest.Executable) }

// maxDepth bounds the walk below a plugin directory: the deepest layout is
// <kind>/<name>/<version>/<os>_<arch>/plugin.json.
const maxDepth = 5

// Discover finds the plugins under dirs. A plugin found in an earlier
// directory shadows one with the same address in a later one. Problems with
// single plugins are returned beside the plugins that loaded, each naming
// the plugin's manifest, so one broken plugin never hides the others.
func Discover(dirs []string) ([]*Installed, []error) {
	return discover(dirs, nil)
}

// discover is Discover with admit, when set, deciding which plugins load:
// a plugin it turns down is skipped, with the error as a problem if any,
// before it can shadow another.
func discover(dirs []string, admit func(*Installed) (bool, error)) ([]*Installed, []error) {
	var (
		found    []*Installed
		problems []error
		seen     = map[string]string{}
	)
	for _, root := range dirs {
		paths, err := manifests(root)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		for _, path := range paths {
			p, err := load(path)
			if err != nil {
				problems = append(problems, err)
				continue
			}
			if admit != nil {
				ok, err := admit(p)
				if err != nil {
					problems = append(problems, err)
				}
				if !ok {
					continue
				}
			}
			if prev, ok := seen[p.Address()]; ok {
				problems = append(problems, fmt.Errorf("%s: plugin %s is shadowed by %s", path, p.Address(), prev))
				continue
			}
			seen[p.Address()] = path
			found = append(found, p)
		}
	}
	return found, problems
}

// manifests lists the manifest files below root, sorted.
func manifests(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == root {
				return filepath.SkipAll
			}
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() && rel != "." && (depth(rel) > maxDepth || strings.HasPrefix(d.Name(), ".")) {
			// Hidden directories are never plugins: the installer stages
			// unfinished installs in one.
			return filepath.SkipDir
		}
		if !d.IsDir() && d.Name() == ManifestFile {
			out = append(out, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("plugin directory %s: %w", root, err)
	}
	sort.Strings(out)
	return out, nil
}

func depth(rel string) int {
	n := 1
	for _, c := range rel {
		if c == filepath.Separator {
			n++
		}
	}
	return n
}

func load(path string) (*Installed, error) {
	m, err := ReadManifest(path)
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	p := &Installed{Manifest: m, Dir: dir}
	if err := checkPermissions(p); err != nil {
		return nil, fmt.Errorf("%s: plugin %s: %w", path, p.Address(), err)
	}
	return p, nil
}

// checkPermissions refuses plugins that anyone on the machine could replace:
// a world-writable plugin directory or executable, or a symlinked directory.
func checkPermissions(p *Installed) error {
	di, err := os.Lstat(p.Dir)
	if err != nil {
		return err
	}
	if di.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("plugin directory %s is a symlink", p.Dir)
	}
	if di.Mode().Perm()&0o002 != 0 {
		return fmt.Errorf("plugin directory %s is world-writable", p.Dir)
	}
	fi, err := os.Stat(p.Executable())
	if err != nil {
		return fmt.Errorf("executable: %w", err)
	}
	if fi.Mode().Perm()&0o002 != 0 {
		return fmt.Errorf("executable %s is world-writable", p.Executable())
	}
	if fi.IsDir() {
		return fmt.Errorf("executable %s is a directory", p.Executable())
	}
	return nil
}
