package pluginhost

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/streamalert-go/sa/host/install/lockfile"
)

// homeState is what the host takes from sa's home: the lock file, which is
// the authority for plugins `sa plugin install` put in the home, and the
// development overrides of sa.yaml, which replace a plugin with a local
// build run unchecked.
type homeState struct {
	// root is Dirs[0], where the installer puts plugins.
	root      string
	lockPath  string
	lock      *lockfile.File
	lockErr   error
	platform  string
	overrides map[string]string
	overErr   error
}

// loadHome reads the home's lock file and overrides. See Options.Home.
func loadHome(opts Options) *homeState {
	home := opts.Home
	if home == "" && len(opts.Dirs) > 0 && filepath.Base(filepath.Clean(opts.Dirs[0])) == "plugins" {
		home = filepath.Dir(filepath.Clean(opts.Dirs[0]))
	}
	hs := &homeState{platform: opts.Platform, lock: lockfile.New()}
	if home == "" || home == "-" {
		return hs
	}
	if len(opts.Dirs) > 0 {
		hs.root, _ = filepath.Abs(opts.Dirs[0])
	}
	hs.lockPath = filepath.Join(home, lockfile.Name)
	if l, err := lockfile.Read(hs.lockPath); err != nil {
		hs.lockErr = err
	} else {
		hs.lock = l
	}
	hs.overrides, hs.overErr = lockfile.ReadDevOverrides(home)
	return hs
}

// inRoot reports whether dir is inside the install root.
func (hs *homeState) inRoot(dir string) bool {
	return hs.root != "" && strings.HasPrefix(dir, hs.root+string(filepath.Separator))
}

// admit decides whether a plugin found on disk loads. A plugin the lock
// pins loads only at the pinned version; other versions in the install
// root are what an interrupted upgrade leaves behind, and are skipped
// quietly until the installer removes them. An overridden plugin is
// replaced by its override.
func (hs *homeState) admit(p *Installed) (bool, error) {
	addr := p.Address()
	if _, ok := hs.overrides[addr]; ok {
		return false, nil
	}
	inRoot := hs.inRoot(p.Dir)
	if hs.lockErr != nil && inRoot {
		return false, nil // reported once, in problems()
	}
	e, ok := hs.lock.Plugins[addr]
	if !ok || p.Manifest.Version == e.Version {
		return true, nil
	}
	if inRoot {
		return false, nil
	}
	return false, fmt.Errorf("%s: plugin %s is version %s, but %s pins %s (point a development override at it to run another build)",
		p.Dir, addr, p.Manifest.Version, hs.lockPath, e.Version)
}

// problems reports what is wrong with the home's state once discovery is
// done: an unreadable lock or overrides, and pinned plugins not installed.
func (hs *homeState) problems(found map[string]*Installed) []error {
	var out []error
	if hs.lockErr != nil {
		out = append(out, fmt.Errorf("%w; plugins in %s are not loaded until it is fixed", hs.lockErr, hs.root))
	}
	if hs.overErr != nil {
		out = append(out, fmt.Errorf("development overrides: %w", hs.overErr))
	}
	for _, addr := range hs.lock.Addresses() {
		if _, ok := found[addr]; !ok {
			out = append(out, fmt.Errorf("plugin %s: %s pins version %s, but it is not installed (run sa plugin install)",
				addr, hs.lockPath, hs.lock.Plugins[addr].Version))
		}
	}
	return out
}

// pin returns the tree hash the lock records for p on this platform.
// pinned is false for plugins the lock does not name.
func (hs *homeState) pin(p *Installed) (hash string, pinned bool, err error) {
	e, ok := hs.lock.Plugins[p.Address()]
	if !ok {
		return "", false, nil
	}
	h, ok := e.Hash(hs.platform)
	if !ok {
		return "", true, fmt.Errorf("%w: %s has no hash of %s for %s (run sa plugin lock --platform %s)",
			ErrChecksum, hs.lockPath, p.Address(), hs.platform, hs.platform)
	}
	return h, true, nil
}

// checkPin verifies p's files against the lock's tree hash, if it pins p.
func (hs *homeState) checkPin(p *Installed) error {
	hash, pinned, err := hs.pin(p)
	if err != nil || !pinned {
		return err
	}
	if err := lockfile.VerifyDir(p.Dir, hash); err != nil {
		return fmt.Errorf("%w: %w", ErrChecksum, err)
	}
	return nil
}

// loadOverrides loads each development override. An override names a
// local build that `sa plugin register` described once: a binary with
// plugin.json beside it, or a directory holding plugin.json. Its checksums
// are not checked, so it can be rebuilt freely.
func (hs *homeState) loadOverrides() ([]*Installed, []error) {
	addrs := make([]string, 0, len(hs.overrides))
	for a := range hs.overrides {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	var found []*Installed
	var problems []error
	for _, addr := range addrs {
		p, err := loadOverride(addr, hs.overrides[addr])
		if err != nil {
			problems = append(problems, fmt.Errorf("development override %s: %w", addr, err))
			continue
		}
		found = append(found, p)
	}
	return found, problems
}

func loadOverride(addr, path string) (*Installed, error) {
	path, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	dir, exe := path, ""
	if !fi.IsDir() {
		dir, exe = filepath.Dir(path), filepath.Base(path)
	}
	m, err := ReadManifest(filepath.Join(dir, ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s has no %s beside it; run `sa plugin register %s` once so sa knows its name and schema", path, ManifestFile, path)
	}
	if err != nil {
		return nil, err
	}
	if m.Address() != addr {
		return nil, fmt.Errorf("%s is plugin %s, not %s", path, m.Address(), addr)
	}
	if exe != "" && m.Executable != exe {
		return nil, fmt.Errorf("%s describes %s, not %s", filepath.Join(dir, ManifestFile), m.Executable, exe)
	}
	return &Installed{Manifest: m, Dir: dir}, nil
}

// Verify checks an installed plugin's files without starting it: against
// the tree hash sa.lock records when the lock pins the plugin, then
// against the checksums in its manifest. Development overrides are not
// checked.
func (h *Host) Verify(p *Installed) error {
	if h.opts.Unverified[p.Address()] {
		return nil
	}
	if err := h.home.checkPin(p); err != nil {
		return err
	}
	return Verify(p)
}

// Locked returns what sa.lock records for the plugin at addr.
func (h *Host) Locked(addr string) (*lockfile.Entry, bool) {
	e, ok := h.home.lock.Plugins[addr]
	return e, ok
}

// Override returns the local build a development override runs for addr.
func (h *Host) Override(addr string) (string, bool) {
	if !h.opts.Unverified[addr] {
		return "", false
	}
	p, ok := h.plugins[addr]
	if !ok {
		return "", false
	}
	return p.Executable(), true
}
