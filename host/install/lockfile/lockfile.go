// Package lockfile reads and writes sa.lock, the record of which plugins
// `sa plugin install` put in a home, at which version, under which
// constraint, and with which tree hash on each platform. It also computes
// that hash (hash.go), from a directory on disk or from the files of an
// archive, so the host can check an installed plugin against the lock at
// every start without importing the installer.
//
// The package depends only on internal/atomicfile: the plugin host and the
// installer both import it.
package lockfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/streamalert-go/sa/internal/atomicfile"
	"io/fs"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strings"
)

// Name is the lock file's name in sa's home.
const Name = "sa.lock"

// Format is the version of the lock file's layout.
const Format = 1

// Any is the platform of archives that run everywhere (interpreted plugins).
const Any = "any"

// comment heads every lock file written, for whoever opens it.
const comment = "Maintained by sa plugin install, upgrade, remove and lock. Commit it with sa.yaml; do not edit it by hand."

// File is sa.lock.
type File struct {
	Comment string `json:"comment,omitempty"`
	Format  int    `json:"format"`
	// Plugins are keyed by address ("output.webhook").
	Plugins map[string]*Entry `json:"plugins"`
}

// Entry is one locked plugin.
type Entry struct {
	Version string `json:"version"`
	// Constraint is the version constraint the version was chosen under
	// ("^1.2"); empty when the plugin was installed from a path or URL.
	Constraint string `json:"constraint,omitempty"`
	// Index names the plugin index it came from, when it came from one.
	Index string `json:"index,omitempty"`
	// Source is the index URL, archive URL or local path installed from.
	Source string `json:"source"`
	// SigningKey is the id of the key whose signature was verified at
	// install; empty for an unsigned install.
	SigningKey string `json:"signing_key,omitempty"`
	// Hashes maps platforms ("linux_amd64", or "any") to tree hashes.
	Hashes map[string]string `json:"hashes"`
}

var (
	addressRE  = regexp.MustCompile(`^(parser|output|app)\.[a-z0-9][a-z0-9_-]{0,62}$`)
	versionRE  = regexp.MustCompile(`^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$`)
	platformRE = regexp.MustCompile(`^(any|[a-z0-9]+_[a-z0-9]+)$`)
)

// Platform is the platform this sa runs on, as the lock file names it.
func Platform() string { return runtime.GOOS + "_" + runtime.GOARCH }

// ValidPlatform reports whether p is "any" or os_arch.
func ValidPlatform(p string) bool { return platformRE.MatchString(p) }

// ValidAddress reports whether a is kind.name.
func ValidAddress(a string) bool { return addressRE.MatchString(a) }

// New returns an empty lock file.
func New() *File { return &File{Format: Format, Plugins: map[string]*Entry{}} }

// Read reads the lock file at path. A missing file is an empty lock.
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return New(), nil
	}
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse decodes and checks a lock file's contents; name is for messages.
func Parse(name string, data []byte) (*File, error) {
	f := New()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(f); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if f.Plugins == nil {
		f.Plugins = map[string]*Entry{}
	}
	if err := f.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return f, nil
}

// Check reports every malformed entry, each naming its address and key.
func (f *File) Check() error {
	var errs []error
	if f.Format != Format {
		errs = append(errs, fmt.Errorf("format: %d is not %d; this sa cannot read it", f.Format, Format))
	}
	for _, addr := range f.Addresses() {
		e := f.Plugins[addr]
		bad := func(key, format string, args ...any) {
			errs = append(errs, fmt.Errorf("plugins.%s.%s: "+format, append([]any{addr, key}, args...)...))
		}
		if !ValidAddress(addr) {
			errs = append(errs, fmt.Errorf("plugins.%s: not a plugin address (kind.name)", addr))
		}
		if e == nil {
			bad("", "empty")
			continue
		}
		if !versionRE.MatchString(e.Version) {
			bad("version", "%q is not a semantic version", e.Version)
		}
		if e.Source == "" {
			bad("source", "empty")
		}
		if len(e.Hashes) == 0 {
			bad("hashes", "empty")
		}
		for p, h := range e.Hashes {
			if !ValidPlatform(p) {
				bad("hashes."+p, "not a platform (os_arch or any)")
			}
			if !ValidHash(h) {
				bad("hashes."+p, "%q is not a %s tree hash", h, HashPrefix)
			}
		}
	}
	return errors.Join(errs...)
}

// Addresses lists the locked plugins, sorted.
func (f *File) Addresses() []string {
	out := make([]string, 0, len(f.Plugins))
	for a := range f.Plugins {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Hash returns the entry's hash for platform, or for "any".
func (e *Entry) Hash(platform string) (string, bool) {
	if h, ok := e.Hashes[platform]; ok {
		return h, true
	}
	h, ok := e.Hashes[Any]
	return h, ok
}

// Platforms lists the platforms the entry has hashes for, sorted.
func (e *Entry) Platforms() []string {
	out := make([]string, 0, len(e.Hashes))
	for p := range e.Hashes {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Clone returns a deep copy of f.
func (f *File) Clone() *File {
	c := New()
	for a, e := range f.Plugins {
		ce := *e
		ce.Hashes = map[string]string{}
		for p, h := range e.Hashes {
			ce.Hashes[p] = h
		}
		c.Plugins[a] = &ce
	}
	return c
}

// Marshal is the file's bytes as Write writes them: indented JSON with
// sorted keys, so the same lock is always the same bytes and diffs stay
// small.
func (f *File) Marshal() ([]byte, error) {
	out := *f
	out.Comment, out.Format = comment, Format
	data, err := json.MarshalIndent(&out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// Equal reports whether two lock files lock the same things.
func Equal(a, b *File) bool {
	da, err1 := a.Marshal()
	db, err2 := b.Marshal()
	return err1 == nil && err2 == nil && bytes.Equal(da, db)
}

// Diff describes, one line per address, how b differs from a.
func Diff(a, b *File) []string {
	var out []string
	seen := map[string]bool{}
	for _, addr := range append(a.Addresses(), b.Addresses()...) {
		if seen[addr] {
			continue
		}
		seen[addr] = true
		ea, eb := a.Plugins[addr], b.Plugins[addr]
		switch {
		case ea == nil:
			out = append(out, fmt.Sprintf("%s: would be added at %s", addr, eb.Version))
		case eb == nil:
			out = append(out, fmt.Sprintf("%s: would be removed", addr))
		case ea.Version != eb.Version:
			out = append(out, fmt.Sprintf("%s: version %s would become %s", addr, ea.Version, eb.Version))
		default:
			if d := entryDiff(ea, eb); d != "" {
				out = append(out, addr+": "+d)
			}
		}
	}
	return out
}

func entryDiff(a, b *Entry) string {
	var d []string
	if a.Constraint != b.Constraint {
		d = append(d, fmt.Sprintf("constraint %q would become %q", a.Constraint, b.Constraint))
	}
	if a.Source != b.Source || a.Index != b.Index {
		d = append(d, fmt.Sprintf("source %s would become %s", a.Source, b.Source))
	}
	if a.SigningKey != b.SigningKey {
		d = append(d, fmt.Sprintf("signing key %q would become %q", a.SigningKey, b.SigningKey))
	}
	for _, p := range union(a.Platforms(), b.Platforms()) {
		switch ha, hb := a.Hashes[p], b.Hashes[p]; {
		case ha == "":
			d = append(d, "hash for "+p+" would be added")
		case hb == "":
			d = append(d, "hash for "+p+" would be removed")
		case ha != hb:
			d = append(d, "hash for "+p+" would change")
		}
	}
	return strings.Join(d, "; ")
}

func union(a, b []string) []string {
	m := map[string]bool{}
	for _, s := range append(a, b...) {
		m[s] = true
	}
	out := make([]string, 0, len(m))
	for s := range m {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Write writes f to path atomically: a reader sees the old lock or the
// new one, never part of either, even if sa is killed while writing.
func (f *File) Write(path string) error {
	data, err := f.Marshal()
	if err != nil {
		return err
	}
	return WriteAtomic(path, data, 0o644)
}

// WriteAtomic replaces path with data so that a crash leaves the old
// file or the new one (atomicfile.Write).
func WriteAtomic(path string, data []byte, mode fs.FileMode) error {
	return atomicfile.Write(path, data, mode)
}

// SyncDir makes a rename in dir durable (atomicfile.SyncDir).
func SyncDir(dir string) error { return atomicfile.SyncDir(dir) }
