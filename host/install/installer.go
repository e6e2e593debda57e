package install

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/streamalert-go/sa/host/install/lockfile"
	"github.com/streamalert-go/sa/internal/flock"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Options configure an Installer.
type Options struct {
	// Home is sa's home: plugins are installed under Home/plugins and
	// locked in Home/sa.lock.
	Home   string
	Config Config
	Policy Policy
	// ReadOnlyLock fails, before anything is installed, any operation that
	// would change sa.lock (--lockfile=readonly, for CI).
	ReadOnlyLock bool
	// Platform is the platform installed for (lockfile.Platform()).
	Platform string
	// Protocols are the plugin protocol versions this sa speaks.
	Protocols []int
	// Out receives a line per step taken. Progress, when set, is a
	// terminal that download progress bars are drawn on.
	Out      io.Writer
	Progress io.Writer
	Limits   Limits
}

// Installer installs, upgrades, removes, locks and mirrors plugins.
type Installer struct {
	opts     Options
	root     string
	lockPath string
	fetch    *fetcher
	keys     *Keyring
	cache    *Cache
	indexes  map[string]*loadedIndex
	lock     *lockfile.File
	// interrupt, in tests, fails an unpack part way.
	interrupt func(rel string) error
}

// loadedIndex is an index fetched in this run.
type loadedIndex struct {
	cfg    IndexConfig
	ix     *Index
	base   *url.URL
	origin origin
}

var versionDirRE = regexp.MustCompile(`^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$`)

// ErrLockfile is wrapped when sa.lock would change in read-only mode, or
// disagrees with what is being installed.
var ErrLockfile = errors.New("sa.lock")

// New checks the configuration and returns an Installer.
func New(opts Options) (*Installer, error) {
	if err := opts.Config.Check(); err != nil {
		return nil, err
	}
	if opts.Platform == "" {
		opts.Platform = lockfile.Platform()
	}
	if opts.Protocols == nil {
		opts.Protocols = saplugin.ProtocolVersions
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if opts.Limits == (Limits{}) {
		opts.Limits = DefaultLimits
	}
	keys, err := NewKeyring(opts.Config.TrustedKeys)
	if err != nil {
		return nil, err
	}
	return &Installer{
		opts: opts, root: filepath.Join(opts.Home, "plugins"), lockPath: filepath.Join(opts.Home, lockfile.Name),
		fetch: newFetcher(opts.Progress), keys: keys, indexes: map[string]*loadedIndex{},
	}, nil
}

// Root is the directory plugins are installed into.
func (in *Installer) Root() string { return in.root }

// LockPath is the lock file's path.
func (in *Installer) LockPath() string { return in.lockPath }

// stagingDir holds unfinished installs. Its name starts with a dot, so
// the plugin host never looks inside it.
func (in *Installer) stagingDir() string { return filepath.Join(in.root, ".staging") }

// begin takes the home's install lock, reads sa.lock and clears what an
// interrupted run left behind. end releases the lock.
func (in *Installer) begin() (end func(), err error) {
	if err := os.MkdirAll(in.root, 0o755); err != nil {
		return nil, err
	}
	unlock, err := flock.Lock(filepath.Join(in.root, ".install.lock"))
	if err != nil {
		return nil, err
	}
	if in.lock, err = lockfile.Read(in.lockPath); err != nil {
		unlock()
		return nil, err
	}
	if err := in.sweep(); err != nil {
		unlock()
		return nil, err
	}
	return unlock, nil
}

// sweep removes staged installs and, for locked plugins, versions other
// than the locked one: the leftovers of an install or upgrade that was
// killed part way.
func (in *Installer) sweep() error {
	if err := os.RemoveAll(in.stagingDir()); err != nil {
		return err
	}
	for _, addr := range in.lock.Addresses() {
		in.removeOthers(addr, in.lock.Plugins[addr].Version)
	}
	return nil
}

// removeOthers removes every installed version of addr but keep. Each is
// first moved out of sight, so a kill part way never leaves a half-deleted
// plugin where the host would find it.
func (in *Installer) removeOthers(addr, keep string) {
	dir := in.pluginDir(addr)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		// Only version directories: a plugin registered by hand in the same
		// place is not the installer's to remove.
		if !e.IsDir() || e.Name() == keep || !versionDirRE.MatchString(e.Name()) {
			continue
		}
		in.discard(filepath.Join(dir, e.Name()))
	}
}

// discard moves path into the staging area and deletes it there.
func (in *Installer) discard(path string) error {
	if err := os.MkdirAll(in.stagingDir(), 0o755); err != nil {
		return err
	}
	trash, err := os.MkdirTemp(in.stagingDir(), "removed-*")
	if err != nil {
		return err
	}
	if err := os.Rename(path, filepath.Join(trash, "x")); err != nil {
		os.RemoveAll(trash)
		return err
	}
	lockfile.SyncDir(filepath.Dir(path))
	return os.RemoveAll(trash)
}

// pluginDir is where every version of addr is installed.
func (in *Installer) pluginDir(addr string) string {
	kind, name, _ := strings.Cut(addr, ".")
	return filepath.Join(in.root, kind, name)
}

// VersionDir is where version of addr is installed.
func (in *Installer) VersionDir(addr, version string) string {
	return filepath.Join(in.pluginDir(addr), version)
}

// stage makes an empty directory for an unfinished install.
func (in *Installer) stage(addr, version string) (string, error) {
	if err := os.MkdirAll(in.stagingDir(), 0o755); err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(in.stagingDir(), strings.ReplaceAll(addr, ".", "-")+"-"+version+"-*")
	if err != nil {
		return "", err
	}
	return dir, os.Chmod(dir, 0o755)
}

// place moves a staged install to its version directory in one atomic
// step; an existing install of the same version is swapped out, never
// removed first.
func (in *Installer) place(staged, addr, version string) error {
	dst := in.VersionDir(addr, version)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	_, err := os.Lstat(dst)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		err = os.Rename(staged, dst)
	case err == nil:
		if err = swapDirs(staged, dst); err == nil {
			err = os.RemoveAll(staged) // now the replaced install
		}
	}
	if err != nil {
		return fmt.Errorf("install %s %s: %w", addr, version, err)
	}
	return lockfile.SyncDir(filepath.Dir(dst))
}

// swapByRename exchanges two directories where the kernel cannot: for a
// moment b is absent.
func swapByRename(a, b string) error {
	tmp := b + ".swap"
	if err := os.Rename(b, tmp); err != nil {
		return err
	}
	if err := os.Rename(a, b); err != nil {
		os.Rename(tmp, b)
		return err
	}
	return os.Rename(tmp, a)
}

// setLock records e for addr, refusing in read-only mode when that changes
// the lock.
func (in *Installer) setLock(addr string, e *lockfile.Entry) (changed bool, err error) {
	next := in.lock.Clone()
	if e == nil {
		delete(next.Plugins, addr)
	} else {
		next.Plugins[addr] = e
	}
	if lockfile.Equal(in.lock, next) {
		return false, nil
	}
	if in.opts.ReadOnlyLock {
		return false, fmt.Errorf("%w would change, and --lockfile=readonly forbids it: %s", ErrLockfile, strings.Join(lockfile.Diff(in.lock, next), "; "))
	}
	if err := next.Write(in.lockPath); err != nil {
		return false, err
	}
	in.lock = next
	return true, nil
}

// checkLock refuses e in read-only mode when it differs from the lock.
func (in *Installer) checkLock(addr string, e *lockfile.Entry) error {
	if !in.opts.ReadOnlyLock {
		return nil
	}
	next := in.lock.Clone()
	next.Plugins[addr] = e
	if lockfile.Equal(in.lock, next) {
		return nil
	}
	return fmt.Errorf("%w would change, and --lockfile=readonly forbids it: %s", ErrLockfile, strings.Join(lockfile.Diff(in.lock, next), "; "))
}

func (in *Installer) printf(format string, args ...any) {
	fmt.Fprintf(in.opts.Out, format+"\n", args...)
}

func (in *Installer) cacheDir() (*Cache, error) {
	if in.cache != nil {
		return in.cache, nil
	}
	dir, err := in.opts.Config.Cache()
	if err != nil {
		return nil, err
	}
	in.cache, err = NewCache(dir)
	return in.cache, err
}

// Platform is the platform installs are for.
func (in *Installer) Platform() string { return in.opts.Platform }
