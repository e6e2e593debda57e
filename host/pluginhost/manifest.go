package pluginhost

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// ManifestFile is the name of the manifest that sits beside every installed
// plugin's files.
const ManifestFile = "plugin.json"

// Manifest describes an installed plugin: who it says it is, how to start
// it, and the checksums its files must still have when it starts.
//
// A compiled plugin names its binary in Executable. An interpreted plugin
// also gives Command, the argument list that runs it (its first element is
// looked up on the plugin's PATH, the rest are relative to the plugin's
// directory), and lists every file it loads in Files so that all of them
// are checked, not only the entry point.
type Manifest struct {
	Name        string   `json:"name"`
	Kind        string   `json:"kind"`
	Version     string   `json:"version"`
	Protocols   []int    `json:"protocols"`
	Description string   `json:"description,omitempty"`
	Executable  string   `json:"executable"`
	Command     []string `json:"command,omitempty"`
	// SHA256 is the hex checksum of Executable.
	SHA256 string `json:"sha256"`
	// Files maps further files, relative to the plugin directory, to their
	// hex checksums.
	Files map[string]string `json:"files,omitempty"`
	// Schema is the configuration schema the plugin described at install,
	// so listing and prompting need no process.
	Schema []schema.Property `json:"schema,omitempty"`
}

var (
	nameRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	versionRE = regexp.MustCompile(`^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$`)
	sha256RE  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Address is how sa names a plugin: kind first, then name ("output.slack").
func (m *Manifest) Address() string { return m.Kind + "." + m.Name }

// ReadManifest reads and checks the manifest at path. Every problem found
// is reported, each naming the file and the key.
func ReadManifest(path string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := m.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &m, nil
}

// Check reports every missing or malformed field.
func (m *Manifest) Check() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, args...)...))
	}
	if !nameRE.MatchString(m.Name) {
		bad("name", "%q is not a plugin name (lower case letters, digits, '-' and '_')", m.Name)
	}
	if _, err := saplugin.ParseKind(m.Kind); err != nil {
		bad("kind", "%v", err)
	}
	if !versionRE.MatchString(m.Version) {
		bad("version", "%q is not a semantic version", m.Version)
	}
	if len(m.Protocols) == 0 {
		bad("protocols", "empty")
	}
	if err := checkRelPath(m.Executable); err != nil {
		bad("executable", "%v", err)
	}
	if !sha256RE.MatchString(m.SHA256) {
		bad("sha256", "want 64 lower-case hex digits")
	}
	for f, sum := range m.Files {
		if err := checkRelPath(f); err != nil {
			bad("files."+f, "%v", err)
		}
		if !sha256RE.MatchString(sum) {
			bad("files."+f, "want 64 lower-case hex digits")
		}
	}
	return errors.Join(errs...)
}

// checkRelPath accepts a path inside the plugin directory only.
func checkRelPath(p string) error {
	switch {
	case p == "":
		return errors.New("empty")
	case filepath.IsAbs(p):
		return fmt.Errorf("%q must be relative to the plugin directory", p)
	case p == ".." || strings.HasPrefix(filepath.Clean(p), ".."+string(filepath.Separator)):
		return fmt.Errorf("%q leaves the plugin directory", p)
	}
	return nil
}

// WriteManifest writes m to dir/plugin.json.
func WriteManifest(dir string, m *Manifest) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ManifestFile), append(data, '\n'), 0o644)
}
