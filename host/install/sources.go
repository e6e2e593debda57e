package install

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/streamalert-go/sa/host/install/lockfile"
)

// ErrNotFound is wrapped when no index lists a plugin.
var ErrNotFound = errors.New("not found")

// Request is a plugin to install from an index.
type Request struct {
	Name Name
	// Index names the index to use; empty means the lock's, else the
	// first that lists the plugin.
	Index string
}

// Install installs plugins from the configured indexes. It goes on past a
// plugin that fails, and reports every failure.
func (in *Installer) Install(ctx context.Context, reqs []Request) ([]*Result, error) {
	end, err := in.begin()
	if err != nil {
		return nil, err
	}
	defer end()
	return in.installAll(ctx, reqs, false)
}

func (in *Installer) installAll(ctx context.Context, reqs []Request, upgrade bool) ([]*Result, error) {
	var results []*Result
	var errs []error
	for _, r := range reqs {
		res, err := in.installName(ctx, r, upgrade)
		if err != nil {
			if !strings.Contains(err.Error(), r.Name.Name) {
				err = fmt.Errorf("%s: %w", r.Name, err)
			}
			errs = append(errs, err)
			continue
		}
		in.printf("%s", res)
		results = append(results, res)
	}
	return results, errors.Join(errs...)
}

// installName resolves a plugin in an index and installs the release the
// lock pins, or with upgrade the newest the constraint allows.
func (in *Installer) installName(ctx context.Context, r Request, upgrade bool) (*Result, error) {
	if r.Index == "" && r.Name.Kind != "" {
		if e, ok := in.lock.Plugins[r.Name.String()]; ok {
			r.Index = e.Index
		}
	}
	li, p, err := in.find(ctx, r.Name, r.Index)
	if err != nil {
		return nil, err
	}
	addr := p.Address()
	old := in.lock.Plugins[addr]
	constraint := in.constraint(r.Name, addr, old)
	sel := Selection{Constraint: constraint, Platform: in.opts.Platform, Protocols: in.opts.Protocols}
	if old != nil && !upgrade {
		sel.Prefer = old.Version
	}
	rel, err := Select(p, sel)
	if err != nil {
		return nil, err
	}
	arch, _ := rel.Archive(in.opts.Platform)
	if old != nil && old.Version == rel.Version && old.Constraint == constraint && old.Index == li.cfg.Name && in.current(addr, old) {
		return &Result{Address: addr, Version: old.Version, Platform: arch.Platform, Source: old.Source, Action: "up to date",
			Verification: in.recorded(old)}, in.lockPlatforms(ctx, li, p, rel, old)
	}
	if path, ok := in.opts.Config.DevOverrides[addr]; ok {
		in.printf("warning: %s has a development override (%s); sa runs that build, not this install, until the override is removed", addr, path)
	}
	j, err := in.indexJob(li, p, rel, arch)
	if err != nil {
		return nil, err
	}
	j.constraint = constraint
	res, err := in.run(ctx, j)
	if err != nil {
		return nil, err
	}
	return res, in.lockPlatforms(ctx, li, p, rel, in.lock.Plugins[addr])
}

// constraint is the command line's, else the config's, else the lock's.
func (in *Installer) constraint(n Name, addr string, old *lockfile.Entry) string {
	if n.Constraint != "" {
		return n.Constraint
	}
	for _, req := range in.opts.Config.Required {
		if rn, err := ParseName(req.Name); err == nil && (rn.String() == addr || rn.Kind == "" && rn.Name == n.Name) && req.Constraint != "" {
			return req.Constraint
		}
	}
	if old != nil {
		return old.Constraint
	}
	return ""
}

// indexJob describes installing one archive of a release from an index.
func (in *Installer) indexJob(li *loadedIndex, p *IndexPlugin, rel *IndexVersion, arch *Archive) (*job, error) {
	u, err := archiveURL(li.base, arch.URL)
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", li.cfg.Name, err)
	}
	return &job{
		addr: p.Address(), version: rel.Version, index: li.cfg.Name, source: li.base.Redacted(),
		platform: arch.Platform, protocols: rel.Protocols, url: u, origin: li.origin,
		sha256: arch.SHA256, hash: arch.Hash, sig: arch.Signature,
	}, nil
}

// current reports whether the locked version of addr is installed with
// the tree hash the lock records.
func (in *Installer) current(addr string, e *lockfile.Entry) bool {
	h, ok := e.Hash(in.opts.Platform)
	return ok && lockfile.VerifyDir(in.VersionDir(addr, e.Version), h) == nil
}

// recorded is the verification an install recorded in the lock, in the
// light of today's trusted keys.
func (in *Installer) recorded(e *lockfile.Entry) Verification {
	if e.SigningKey == "" {
		return Verification{Trust: Unsigned}
	}
	if name, ok := in.keys.Publisher(e.SigningKey); ok {
		return Verification{Trust: Trusted, KeyID: e.SigningKey, Publisher: name, Checked: true}
	}
	return Verification{Trust: Untrusted, KeyID: e.SigningKey, Checked: true}
}

// find returns the index and entry of a plugin: from the named index, or
// the first that lists it. An index that cannot be read stops the search:
// falling through to a later index could install a different publisher's
// plugin of the same name.
func (in *Installer) find(ctx context.Context, n Name, indexName string) (*loadedIndex, *IndexPlugin, error) {
	cfgs := in.opts.Config.Indexes
	if indexName != "" {
		c, ok := in.opts.Config.Index(indexName)
		if !ok {
			return nil, nil, fmt.Errorf("index %q is not in plugins.indexes", indexName)
		}
		cfgs = []IndexConfig{c}
	}
	if len(cfgs) == 0 {
		return nil, nil, errors.New("no plugin index is configured: add plugins.indexes to sa.yaml, or install from a path or URL")
	}
	var searched []string
	for _, c := range cfgs {
		li, err := in.loadIndex(ctx, c)
		if err != nil {
			if indexName == "" && len(cfgs) > 1 {
				err = fmt.Errorf("%w (later indexes are not tried: they could list a different plugin under the same name)", err)
			}
			return nil, nil, err
		}
		switch found := li.ix.Lookup(n.Kind, n.Name); len(found) {
		case 0:
			searched = append(searched, c.Name)
		case 1:
			return li, found[0], nil
		default:
			return nil, nil, fmt.Errorf("index %s has both %s and %s: say which", c.Name, found[0].Address(), found[1].Address())
		}
	}
	return nil, nil, fmt.Errorf("%w: %s is in no index (searched %s)", ErrNotFound, n, strings.Join(searched, ", "))
}

// loadIndex fetches an index once per run and learns the keys it
// publishes.
func (in *Installer) loadIndex(ctx context.Context, c IndexConfig) (*loadedIndex, error) {
	if li, ok := in.indexes[c.Name]; ok {
		return li, nil
	}
	ix, base, o, err := in.fetch.readIndex(ctx, c)
	if err != nil {
		return nil, err
	}
	in.keys.Learn(ix.Keys)
	li := &loadedIndex{cfg: c, ix: ix, base: base, origin: o}
	in.indexes[c.Name] = li
	return li, nil
}

// SignatureFile is what sa plugin package writes beside an archive as
// <archive>.sig, so an archive installed by path or URL is verified as
// one from an index would be.
type SignatureFile struct {
	Plugin    string     `json:"plugin"`
	Version   string     `json:"version"`
	Platform  string     `json:"platform"`
	SHA256    string     `json:"sha256"`
	Hash      string     `json:"hash"`
	Key       string     `json:"key,omitempty"`
	Signature *Signature `json:"signature"`
}

// InstallSource installs from an archive or plugin directory on disk, or
// an archive at an https:// URL. A signature file beside the archive
// (<archive>.sig) is checked; without one the install is unsigned.
func (in *Installer) InstallSource(ctx context.Context, src string) (*Result, error) {
	end, err := in.begin()
	if err != nil {
		return nil, err
	}
	defer end()
	res, err := in.installSource(ctx, src)
	if err != nil {
		return nil, err
	}
	in.printf("%s", res)
	return res, nil
}

func (in *Installer) installSource(ctx context.Context, src string) (*Result, error) {
	j, cleanup, err := in.sourceJob(ctx, src)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	return in.run(ctx, j)
}

// sourceJob describes installing src, reading its signature file if any.
func (in *Installer) sourceJob(ctx context.Context, src string) (*job, func(), error) {
	nothing := func() {}
	switch {
	case strings.HasPrefix(src, "https://"):
		u, err := url.Parse(src)
		if err != nil {
			return nil, nothing, err
		}
		j := &job{source: u.Redacted(), url: u}
		sig, err := in.fetchSig(ctx, u)
		if err != nil {
			return nil, nothing, err
		}
		return j, nothing, applySig(j, sig)
	case strings.Contains(src, "://"):
		return nil, nothing, fmt.Errorf("%s: install from a path, or an archive at an https:// URL", src)
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		return nil, nothing, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, nothing, err
	}
	j := &job{source: abs, local: abs}
	if fi.IsDir() {
		tmp, err := packDir(abs)
		if err != nil {
			return nil, nothing, err
		}
		j.local = tmp
		return j, func() { os.Remove(tmp) }, nil
	}
	data, err := os.ReadFile(abs + ".sig")
	if err != nil && !os.IsNotExist(err) {
		return nil, nothing, err
	}
	return j, nothing, applySig(j, data)
}

// packDir archives a plugin directory to a temporary file.
func packDir(dir string) (string, error) {
	if _, err := os.Stat(filepath.Join(dir, manifestFile)); err != nil {
		return "", fmt.Errorf("%s holds no %s: register the plugin first (sa plugin register), or install the archive sa plugin package builds", dir, manifestFile)
	}
	f, err := os.CreateTemp("", "sa-plugin-*.tar.gz")
	if err != nil {
		return "", err
	}
	_, err = WriteArchive(dir, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// fetchSig fetches <url>.sig; a missing one means unsigned.
func (in *Installer) fetchSig(ctx context.Context, u *url.URL) ([]byte, error) {
	su := *u
	su.Path += ".sig"
	body, _, err := in.fetch.open(ctx, &su, origin{})
	if err != nil {
		if strings.Contains(err.Error(), "HTTP 404") {
			return nil, nil
		}
		return nil, err
	}
	defer body.Close()
	return io.ReadAll(io.LimitReader(body, 64<<10))
}

// applySig fills a job from a signature file.
func applySig(j *job, data []byte) error {
	if data == nil {
		return nil
	}
	var sf SignatureFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sf); err != nil {
		return fmt.Errorf("%s.sig: %w", j.source, err)
	}
	if !lockfile.ValidAddress(sf.Plugin) || !versionDirRE.MatchString(sf.Version) || !lockfile.ValidPlatform(sf.Platform) ||
		!sha256RE.MatchString(sf.SHA256) || !lockfile.ValidHash(sf.Hash) {
		return fmt.Errorf("%s.sig: not a complete signature file (plugin, version, platform, sha256, hash)", j.source)
	}
	j.addr, j.version, j.platform, j.sha256, j.hash, j.key, j.sig = sf.Plugin, sf.Version, sf.Platform, sf.SHA256, sf.Hash, sf.Key, sf.Signature
	return nil
}
