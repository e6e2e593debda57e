package install

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/streamalert-go/sa/host/install/lockfile"
)

// IndexFile is the name of the index document in a mirror or a package
// output directory.
const IndexFile = "index.json"

// Mirror copies the locked releases into dir, with an index.json beside
// them, for sites without network access: point plugins.indexes at
// file://DIR/index.json there. Each archive is verified as an install
// would verify it, and against the lock, before it is copied; signatures
// and publisher keys are kept, so installs from the mirror are checked
// exactly as installs from the original index. platforms defaults to the
// platforms each plugin is locked for. An existing index in dir is
// extended, so one mirror can collect several homes' plugins.
func (in *Installer) Mirror(ctx context.Context, dir string, platforms []string) (string, error) {
	end, err := in.begin()
	if err != nil {
		return "", err
	}
	defer end()
	dir, err = filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	mirror, err := readIndexFile(filepath.Join(dir, IndexFile))
	if err != nil {
		return "", err
	}
	var errs []error
	for _, addr := range in.lock.Addresses() {
		if err := in.mirrorOne(ctx, mirror, dir, addr, platforms); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", addr, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	data, err := mirror.Marshal()
	if err != nil {
		return "", err
	}
	if err := lockfile.WriteAtomic(filepath.Join(dir, IndexFile), data, 0o644); err != nil {
		return "", err
	}
	return (&url.URL{Scheme: "file", Path: filepath.Join(dir, IndexFile)}).String(), nil
}

func (in *Installer) mirrorOne(ctx context.Context, mirror *Index, dir, addr string, platforms []string) error {
	e := in.lock.Plugins[addr]
	if e.Index == "" {
		in.printf("skipped %s: installed from %s, not an index", addr, e.Source)
		return nil
	}
	li, p, rel, err := in.lockedRelease(ctx, addr, e)
	if err != nil {
		return err
	}
	plats := platforms
	if len(plats) == 0 {
		plats = e.Platforms()
	}
	for _, platform := range plats {
		arch, ok := rel.Archive(platform)
		if !ok {
			return fmt.Errorf("%s has no archive for %s", rel.Version, platform)
		}
		if err := in.mirrorArchive(ctx, mirror, dir, li, p, rel, arch, e); err != nil {
			return err
		}
	}
	return nil
}

func (in *Installer) mirrorArchive(ctx context.Context, mirror *Index, dir string, li *loadedIndex, p *IndexPlugin, rel *IndexVersion, arch *Archive, e *lockfile.Entry) error {
	j, err := in.indexJob(li, p, rel, arch)
	if err != nil {
		return err
	}
	h, err := in.verifyArchive(ctx, j)
	if err != nil {
		return err
	}
	if locked, ok := e.Hashes[arch.Platform]; ok && locked != h {
		return fmt.Errorf("%w: %s for %s unpacks to %s, but the lock records %s", ErrLockfile, rel.Version, arch.Platform, h, locked)
	}
	cache, err := in.cacheDir()
	if err != nil {
		return err
	}
	src, ok, err := cache.Open(arch.SHA256)
	if err != nil || !ok {
		return fmt.Errorf("%s %s: the verified archive left the cache: %w", p.Address(), rel.Version, err)
	}
	defer src.Close()
	file := ArchiveName(p.Address(), rel.Version, arch.Platform)
	if err := copyAtomic(src, filepath.Join(dir, file)); err != nil {
		return err
	}
	out := *arch
	out.URL = file
	mirror.Add(IndexPlugin{Name: p.Name, Kind: p.Kind, Description: p.Description, License: p.License, Source: p.Source}, rel.Version, rel.Protocols, out)
	if arch.Signature != nil {
		for _, k := range li.ix.Keys {
			if k.ID == arch.Signature.KeyID {
				mirror.AddKey(k)
			}
		}
	}
	in.printf("mirrored %s %s (%s)", p.Address(), rel.Version, arch.Platform)
	return nil
}

// ArchiveName is the file name sa gives an archive.
func ArchiveName(addr, version, platform string) string {
	return strings.ReplaceAll(addr, ".", "-") + "-" + version + "-" + platform + ".tar.gz"
}

// readIndexFile reads an index document, or returns an empty index when
// there is none yet.
func readIndexFile(path string) (*Index, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return &Index{Format: IndexFormat}, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseIndex(path, data)
}

// copyAtomic copies r to path through a temporary file and a rename.
func copyAtomic(r io.Reader, path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
