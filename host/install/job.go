package install

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"

	"github.com/streamalert-go/sa/host/install/lockfile"
	"github.com/streamalert-go/sa/host/pluginhost"
)

// job is one archive to install, with what its index entry or signature
// file promises about it.
type job struct {
	// addr and version are known in advance from an index; for a path or
	// URL they come from the archive's plugin.json.
	addr, version string
	constraint    string
	index         string
	source        string
	// platform is the archive's; empty means decide from the manifest.
	platform string
	// protocols are the index's claim, checked against plugin.json.
	protocols []int
	// url and origin locate a download; local is an archive on disk.
	url    *url.URL
	origin origin
	local  string
	// sha256 and hash, when set, are promised by the index or signature
	// file: the archive's sha256 and the tree hash it unpacks to.
	sha256, hash string
	sig          *Signature
	// key is a public key a signature file carries, to check an unknown
	// key's signature with.
	key string
}

// Result is what installing one plugin did.
type Result struct {
	Address, Version, Platform, Source string
	Verification                       Verification
	// Action is "installed", "reinstalled", "upgraded" or "up to date";
	// Previous is the version an upgrade replaced.
	Action   string
	Previous string
}

func (r *Result) String() string {
	s := fmt.Sprintf("%s %s %s (%s) from %s: %s", r.Action, r.Address, r.Version, r.Platform, r.Source, r.Verification)
	if r.Previous != "" {
		s = fmt.Sprintf("upgraded %s %s -> %s (%s) from %s: %s", r.Address, r.Previous, r.Version, r.Platform, r.Source, r.Verification)
	}
	return s
}

// statement is what the job's signature must cover.
func (j *job) statement() Statement {
	return Statement{Address: j.addr, Version: j.version, Platform: j.platform, SHA256: j.sha256, Hash: j.hash}
}

func (j *job) label() string {
	if j.addr != "" {
		return j.addr + " " + j.version
	}
	return j.source
}

// verifyTrust checks the signature over what the job promises and
// applies the policy. It runs before anything is downloaded when an index
// promises the checksums, so nothing unvetted is even fetched.
func (in *Installer) verifyTrust(j *job) (Verification, error) {
	if j.key != "" {
		if pub, err := ParsePublicKey(j.key); err == nil {
			in.keys.Learn([]IndexKey{{ID: KeyID(pub), Key: j.key}})
		}
	}
	v, err := in.keys.Verify(j.statement(), j.sig)
	if err != nil {
		return v, err
	}
	return v, in.opts.Policy.Check(j.label(), v)
}

// run installs one archive: verify the signature, download into the cache
// checking the sha256, check the archive and the tree hash it unpacks to
// against the index and the lock, unpack into the staging area, check the
// manifest's checksums, and only then move it into place and record it.
func (in *Installer) run(ctx context.Context, j *job) (*Result, error) {
	var v Verification
	var err error
	promised := j.sha256 != ""
	if promised {
		if v, err = in.verifyTrust(j); err != nil {
			return nil, err
		}
	}
	f, err := in.openArchive(ctx, j)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	contents, err := ReadArchive(ctx, f, in.opts.Limits)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", j.label(), err)
	}
	m, err := in.checkContents(j, contents)
	if err != nil {
		return nil, err
	}
	if !promised { // a path or URL without a signature file
		if v, err = in.verifyTrust(j); err != nil {
			return nil, err
		}
	}
	old := in.lock.Plugins[j.addr]
	entry, err := in.entry(old, j, contents.Hash, v)
	if err != nil {
		return nil, err
	}
	if err := in.checkLock(j.addr, entry); err != nil {
		return nil, err
	}
	if err := in.unpackAndPlace(ctx, j, f, m, contents.Hash, old, entry); err != nil {
		return nil, err
	}
	return in.result(j, old, v), nil
}

// openArchive returns the job's archive, its sha256 checked when promised.
func (in *Installer) openArchive(ctx context.Context, j *job) (*os.File, error) {
	cache, err := in.cacheDir()
	if err != nil {
		return nil, err
	}
	if j.local != "" {
		src, err := os.Open(j.local)
		if err != nil {
			return nil, err
		}
		defer src.Close()
		f, sum, err := cache.Put(src, j.sha256, in.opts.Limits.Archive)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", j.local, err)
		}
		j.sha256 = sum
		return f, nil
	}
	f, sum, err := in.fetch.download(ctx, cache, j.url, j.origin, j.sha256, j.label())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", j.label(), err)
	}
	j.sha256 = sum
	return f, nil
}

// checkContents checks the archive's plugin.json and tree hash against
// what the job promises, and fills in what it did not know.
func (in *Installer) checkContents(j *job, c *ArchiveContents) (*pluginhost.Manifest, error) {
	if j.hash != "" && c.Hash != j.hash {
		return nil, fmt.Errorf("%s: %w: the archive unpacks to %s, but its index entry says %s", j.label(), ErrChecksum, c.Hash, j.hash)
	}
	j.hash = c.Hash
	m, err := parseManifest(c.Manifest)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", j.label(), err)
	}
	if j.addr == "" {
		j.addr, j.version = m.Address(), m.Version
	}
	if m.Address() != j.addr || m.Version != j.version {
		return nil, fmt.Errorf("%s: the archive holds %s %s", j.label(), m.Address(), m.Version)
	}
	if j.protocols != nil && !slices.Equal(slices.Sorted(slices.Values(j.protocols)), slices.Sorted(slices.Values(m.Protocols))) {
		return nil, fmt.Errorf("%s: the index says it speaks protocols %v, its plugin.json says %v", j.label(), j.protocols, m.Protocols)
	}
	if !speaks(m.Protocols, in.opts.Protocols) {
		return nil, fmt.Errorf("%s: %w: it speaks plugin protocol %v, this sa speaks %v", j.label(), ErrNoVersion, m.Protocols, in.opts.Protocols)
	}
	if j.platform == "" {
		j.platform = in.opts.Platform
		if len(m.Command) > 0 {
			j.platform = lockfile.Any
		}
	}
	return m, nil
}

// parseManifest reads an archive's plugin.json strictly.
func parseManifest(data []byte) (*pluginhost.Manifest, error) {
	if data == nil {
		return nil, fmt.Errorf("the archive has no %s at its root; build archives with sa plugin package", pluginhost.ManifestFile)
	}
	var m pluginhost.Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", pluginhost.ManifestFile, err)
	}
	if err := m.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", pluginhost.ManifestFile, err)
	}
	return &m, nil
}

// entry is the lock entry after installing j. The hashes of other
// platforms are kept while the version stays; a hash the lock already has
// for this platform must match, or the same version now has different
// contents than when it was locked.
func (in *Installer) entry(old *lockfile.Entry, j *job, hash string, v Verification) (*lockfile.Entry, error) {
	e := &lockfile.Entry{Version: j.version, Constraint: j.constraint, Index: j.index, Source: j.source, SigningKey: v.KeyID, Hashes: map[string]string{}}
	if old != nil && old.Version == j.version {
		if h, ok := old.Hash(j.platform); ok && h != hash {
			return nil, fmt.Errorf("%w: %s %s for %s unpacks to %s, but the lock records %s: the same version now has different contents. If you trust the change, sa plugin remove %s and install it again",
				ErrLockfile, j.addr, j.version, j.platform, hash, h, j.addr)
		}
		for p, h := range old.Hashes {
			e.Hashes[p] = h
		}
		if e.SigningKey == "" {
			e.SigningKey = old.SigningKey
		}
	}
	e.Hashes[j.platform] = hash
	return e, nil
}

// unpackAndPlace unpacks into the staging area, checks the result, moves
// it into place and records it in the lock. A first install is locked
// before it is placed, an upgrade after, so whenever sa is killed the
// lock names a version that is installed, or one that is not installed at
// all, never one that is half there.
func (in *Installer) unpackAndPlace(ctx context.Context, j *job, f *os.File, m *pluginhost.Manifest, hash string, old, entry *lockfile.Entry) error {
	staged, err := in.stage(j.addr, j.version)
	if err != nil {
		return err
	}
	defer os.RemoveAll(staged)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	got, err := unpack(ctx, f, staged, in.opts.Limits, in.interrupt)
	if err != nil {
		return fmt.Errorf("%s: unpack: %w", j.label(), err)
	}
	if got != hash {
		return fmt.Errorf("%s: %w: the archive changed while it was installed", j.label(), ErrChecksum)
	}
	if err := pluginhost.Verify(&pluginhost.Installed{Manifest: m, Dir: staged}); err != nil {
		return fmt.Errorf("%s: the archive's files do not match its plugin.json: %w", j.label(), err)
	}
	if in.installed(j.addr) {
		if err := in.place(staged, j.addr, j.version); err != nil {
			return err
		}
		if _, err := in.setLock(j.addr, entry); err != nil {
			return err
		}
		in.removeOthers(j.addr, j.version)
		return nil
	}
	if _, err := in.setLock(j.addr, entry); err != nil {
		return err
	}
	if err := in.place(staged, j.addr, j.version); err != nil {
		in.setLock(j.addr, old)
		return err
	}
	return nil
}

// installed reports whether any version of addr is on disk.
func (in *Installer) installed(addr string) bool {
	entries, err := os.ReadDir(in.pluginDir(addr))
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.IsDir() && versionDirRE.MatchString(e.Name()) {
			return true
		}
	}
	return false
}

func (in *Installer) result(j *job, old *lockfile.Entry, v Verification) *Result {
	r := &Result{Address: j.addr, Version: j.version, Platform: j.platform, Source: j.source, Verification: v, Action: "installed"}
	switch {
	case old != nil && old.Version != j.version:
		r.Action, r.Previous = "upgraded", old.Version
	case old != nil:
		r.Action = "reinstalled"
	}
	return r
}
