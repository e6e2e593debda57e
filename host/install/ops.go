package install

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/streamalert-go/sa/host/install/lockfile"
)

// InstallAll installs what the configuration requires and what the lock
// names: on a fresh checkout with sa.yaml and sa.lock, it installs exactly
// the locked versions and verifies them against the lock.
func (in *Installer) InstallAll(ctx context.Context) ([]*Result, error) {
	end, err := in.begin()
	if err != nil {
		return nil, err
	}
	defer end()
	var reqs []Request
	covered := map[string]bool{}
	for _, r := range in.opts.Config.Required {
		n, err := ParseName(r.Name)
		if err != nil {
			return nil, err
		}
		n.Constraint = r.Constraint
		reqs = append(reqs, Request{Name: n, Index: r.Index})
		covered[n.String()] = true
	}
	var sources []string
	for _, addr := range in.lock.Addresses() {
		e := in.lock.Plugins[addr]
		kind, name, _ := strings.Cut(addr, ".")
		if covered[addr] || covered[name] {
			continue
		}
		switch {
		case e.Index != "":
			reqs = append(reqs, Request{Name: Name{Kind: kind, Name: name}, Index: e.Index})
		case !in.current(addr, e):
			sources = append(sources, e.Source)
		}
	}
	if len(reqs) == 0 && len(sources) == 0 && len(in.lock.Plugins) == 0 {
		return nil, errors.New("nothing to install: sa.yaml lists no plugins.required and sa.lock is empty; name a plugin, a path or a URL")
	}
	results, err := in.installAll(ctx, reqs, false)
	errs := []error{err}
	for _, src := range sources {
		res, err := in.installSource(ctx, src)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", src, err))
			continue
		}
		in.printf("%s", res)
		results = append(results, res)
	}
	return results, errors.Join(errs...)
}

// Upgrade installs the newest release each constraint allows, for the
// locked plugins named (all of them when none are).
func (in *Installer) Upgrade(ctx context.Context, names []string) ([]*Result, error) {
	end, err := in.begin()
	if err != nil {
		return nil, err
	}
	defer end()
	addrs, err := in.locked(names)
	if err != nil {
		return nil, err
	}
	var reqs []Request
	for _, addr := range addrs {
		e := in.lock.Plugins[addr]
		if e.Index == "" {
			in.printf("%s %s was installed from %s; install a newer archive by path or URL to upgrade it", addr, e.Version, e.Source)
			continue
		}
		kind, name, _ := strings.Cut(addr, ".")
		reqs = append(reqs, Request{Name: Name{Kind: kind, Name: name}, Index: e.Index})
	}
	return in.installAll(ctx, reqs, true)
}

// locked resolves names to locked addresses; no names means all.
func (in *Installer) locked(names []string) ([]string, error) {
	if len(names) == 0 {
		return in.lock.Addresses(), nil
	}
	var out []string
	for _, s := range names {
		addr, err := in.lockedAddress(s)
		if err != nil {
			return nil, err
		}
		out = append(out, addr)
	}
	return out, nil
}

// lockedAddress finds the locked plugin a user means by "webhook" or
// "output.webhook".
func (in *Installer) lockedAddress(s string) (string, error) {
	n, err := ParseName(s)
	if err != nil {
		return "", err
	}
	var found []string
	for _, addr := range in.lock.Addresses() {
		kind, name, _ := strings.Cut(addr, ".")
		if name == n.Name && (n.Kind == "" || n.Kind == kind) {
			found = append(found, addr)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("%w: %s is not in %s", ErrNotFound, s, in.lockPath)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%q is ambiguous: say %s", s, strings.Join(found, " or "))
}

// Remove uninstalls a plugin and drops it from the lock. Each version
// directory is moved out of sight before it is deleted, then the lock is
// written: a kill part way leaves the lock naming a plugin that is simply
// not installed, which sa reports and sa plugin install repairs.
func (in *Installer) Remove(ctx context.Context, name string) (string, error) {
	end, err := in.begin()
	if err != nil {
		return "", err
	}
	defer end()
	addr, err := in.lockedAddress(name)
	if errors.Is(err, ErrNotFound) {
		if n, perr := ParseName(name); perr == nil && n.Kind != "" && in.installed(n.String()) {
			addr, err = n.String(), nil
		}
	}
	if err != nil {
		return "", err
	}
	if in.opts.ReadOnlyLock {
		if _, ok := in.lock.Plugins[addr]; ok {
			return "", fmt.Errorf("%w would change (%s would be removed), and --lockfile=readonly forbids it", ErrLockfile, addr)
		}
	}
	entries, _ := os.ReadDir(in.pluginDir(addr))
	for _, e := range entries {
		if e.IsDir() && versionDirRE.MatchString(e.Name()) {
			if err := in.discard(in.VersionDir(addr, e.Name())); err != nil {
				return "", err
			}
		}
	}
	os.Remove(in.pluginDir(addr)) // only if empty
	if _, err := in.setLock(addr, nil); err != nil {
		return "", err
	}
	in.printf("removed %s", addr)
	return addr, nil
}

// Lock records in sa.lock the hashes of the locked releases on more
// platforms, for the plugins named (all when none are). Each platform's
// archive is downloaded and verified as an install would verify it, and
// its tree hash computed from its contents, so the lock never records a
// hash sa has not checked.
func (in *Installer) Lock(ctx context.Context, platforms, names []string) error {
	end, err := in.begin()
	if err != nil {
		return err
	}
	defer end()
	for _, p := range platforms {
		if !lockfile.ValidPlatform(p) {
			return fmt.Errorf("--platform %q: want os_arch (linux_amd64, darwin_arm64, ...)", p)
		}
	}
	addrs, err := in.locked(names)
	if err != nil {
		return err
	}
	var errs []error
	for _, addr := range addrs {
		if err := in.lockOne(ctx, addr, platforms); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", addr, err))
		}
	}
	return errors.Join(errs...)
}

func (in *Installer) lockOne(ctx context.Context, addr string, platforms []string) error {
	e := in.lock.Plugins[addr]
	if e.Index == "" {
		in.printf("%s was installed from %s, not an index; only its own platform is locked", addr, e.Source)
		return nil
	}
	li, p, rel, err := in.lockedRelease(ctx, addr, e)
	if err != nil {
		return err
	}
	return in.lockRelease(ctx, li, p, rel, e, platforms)
}

// lockedRelease finds, in its index, the release the lock entry e of the
// plugin at addr pins.
func (in *Installer) lockedRelease(ctx context.Context, addr string, e *lockfile.Entry) (*loadedIndex, *IndexPlugin, *IndexVersion, error) {
	kind, name, _ := strings.Cut(addr, ".")
	li, p, err := in.find(ctx, Name{Kind: kind, Name: name}, e.Index)
	if err != nil {
		return nil, nil, nil, err
	}
	rel, ok := p.Version(e.Version)
	if !ok {
		return nil, nil, nil, fmt.Errorf("index %s no longer lists version %s", li.cfg.Name, e.Version)
	}
	return li, p, rel, nil
}

// lockPlatforms locks the platforms the configuration lists, after an
// install from an index.
func (in *Installer) lockPlatforms(ctx context.Context, li *loadedIndex, p *IndexPlugin, rel *IndexVersion, e *lockfile.Entry) error {
	if len(in.opts.Config.Platforms) == 0 || e == nil {
		return nil
	}
	return in.lockRelease(ctx, li, p, rel, e, in.opts.Config.Platforms)
}

// lockRelease verifies rel's archive for each platform and records its
// tree hash.
func (in *Installer) lockRelease(ctx context.Context, li *loadedIndex, p *IndexPlugin, rel *IndexVersion, e *lockfile.Entry, platforms []string) error {
	next := *e
	next.Hashes = map[string]string{}
	for k, v := range e.Hashes {
		next.Hashes[k] = v
	}
	var added []string
	for _, platform := range platforms {
		arch, ok := rel.Archive(platform)
		if !ok {
			return fmt.Errorf("%s %s has no archive for %s (only %s)", p.Address(), rel.Version, platform, strings.Join(rel.Platforms(), ", "))
		}
		j, err := in.indexJob(li, p, rel, arch)
		if err != nil {
			return err
		}
		h, err := in.verifyArchive(ctx, j)
		if err != nil {
			return err
		}
		if old, ok := next.Hashes[arch.Platform]; ok && old != h {
			return fmt.Errorf("%w: %s %s for %s unpacks to %s, but the lock records %s", ErrLockfile, p.Address(), rel.Version, arch.Platform, h, old)
		}
		if _, ok := next.Hashes[arch.Platform]; !ok {
			added = append(added, arch.Platform)
		}
		next.Hashes[arch.Platform] = h
	}
	changed, err := in.setLock(p.Address(), &next)
	if err != nil {
		return err
	}
	if changed {
		slices.Sort(added)
		in.printf("locked %s %s for %s", p.Address(), rel.Version, strings.Join(added, ", "))
	}
	return nil
}

// verifyArchive downloads an archive and checks it as an install would,
// without unpacking it, and returns its tree hash.
func (in *Installer) verifyArchive(ctx context.Context, j *job) (string, error) {
	if _, err := in.verifyTrust(j); err != nil {
		return "", err
	}
	f, err := in.openArchive(ctx, j)
	if err != nil {
		return "", err
	}
	defer f.Close()
	c, err := ReadArchive(ctx, f, in.opts.Limits)
	if err != nil {
		return "", fmt.Errorf("%s (%s): %w", j.label(), j.platform, err)
	}
	if _, err := in.checkContents(j, c); err != nil {
		return "", err
	}
	return c.Hash, nil
}
