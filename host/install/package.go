package install

import (
	"context"
	"crypto/ed25519"

	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/streamalert-go/sa/host/install/lockfile"
	"github.com/streamalert-go/sa/host/pluginhost"
)

// PackageOptions configure Package.
type PackageOptions struct {
	// Path is a plugin binary, or a directory holding an interpreted
	// plugin's plugin.json.in, or a built plugin's plugin.json.
	Path string
	// Out receives the archive, its signature file and index.json.
	Out string
	// Key signs the archive; nil leaves it unsigned.
	Key ed25519.PrivateKey
	// Publisher names the key's owner in index.json.
	Publisher string
	// Platform is the build's: this sa's for a binary, "any" for an
	// interpreted plugin, unless set.
	Platform string
	// ManifestFrom is the plugin.json of the same release built for this
	// platform. A binary for another platform cannot be started here to
	// describe itself; its name, version, protocols and schema are taken
	// from this manifest instead.
	ManifestFrom string
	// Description, License and Source go into the index entry.
	Description, License, Source string
	// Env is the environment the plugin is started in to describe itself.
	Env []string
	Log *slog.Logger
}

// Packaged is what Package wrote.
type Packaged struct {
	Address, Version, Platform string
	// Archive is the archive's path; Index the index.json updated.
	Archive, Index string
	SHA256, Hash   string
	Signature      *Signature
}

// Package builds a plugin's archive for an index: the plugin's files and a
// plugin.json made by starting the plugin once to describe it (so the
// schema is cached for installs); writes the archive, a signature file
// beside it, and the release's entry into index.json, signed with Key.
// Archives are reproducible: the same build gives the same bytes.
func Package(ctx context.Context, o PackageOptions) (*Packaged, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	staged, err := os.MkdirTemp("", "sa-package-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(staged)
	m, platform, err := stageForPackage(ctx, o, staged)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	out := &Packaged{Address: m.Address(), Version: m.Version, Platform: platform}
	out.Archive = filepath.Join(o.Out, ArchiveName(out.Address, out.Version, platform))
	if out.Hash, out.SHA256, err = writeArchiveFile(staged, out.Archive); err != nil {
		return nil, err
	}
	st := Statement{Address: out.Address, Version: out.Version, Platform: platform, SHA256: out.SHA256, Hash: out.Hash}
	sf := SignatureFile{Plugin: out.Address, Version: out.Version, Platform: platform, SHA256: out.SHA256, Hash: out.Hash}
	if o.Key != nil {
		out.Signature = Sign(o.Key, st)
		sf.Signature, sf.Key = out.Signature, FormatPublicKey(o.Key.Public().(ed25519.PublicKey))
	}
	if err := writeJSON(out.Archive+".sig", sf); err != nil {
		return nil, err
	}
	out.Index = filepath.Join(o.Out, IndexFile)
	return out, addToIndex(out, m, o)
}

// stageForPackage copies the plugin into staged and writes its manifest.
func stageForPackage(ctx context.Context, o PackageOptions, staged string) (*pluginhost.Manifest, string, error) {
	path, err := filepath.Abs(o.Path)
	if err != nil {
		return nil, "", err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, "", err
	}
	if fi.IsDir() {
		if _, err := os.Stat(filepath.Join(path, pluginhost.TemplateFile)); err != nil {
			// A built plugin's directory: package the binary it names.
			m, err := pluginhost.ReadManifest(filepath.Join(path, pluginhost.ManifestFile))
			if err != nil {
				return nil, "", fmt.Errorf("%s holds neither %s nor a readable %s: %w", path, pluginhost.TemplateFile, pluginhost.ManifestFile, err)
			}
			o.Path = filepath.Join(path, m.Executable)
			return stageForPackage(ctx, o, staged)
		}
		return stageInterpreted(ctx, o, path, staged)
	}
	return stageBinary(ctx, o, path, staged)
}

func stageInterpreted(ctx context.Context, o PackageOptions, dir, staged string) (*pluginhost.Manifest, string, error) {
	if err := copyPluginTree(dir, staged); err != nil {
		return nil, "", err
	}
	m, err := pluginhost.Register(ctx, staged, o.Env, o.Log)
	if err != nil {
		return nil, "", err
	}
	platform := o.Platform
	if platform == "" {
		platform = lockfile.Any
	}
	return m, platform, nil
}

func stageBinary(ctx context.Context, o PackageOptions, path, staged string) (*pluginhost.Manifest, string, error) {
	platform := o.Platform
	if platform == "" {
		platform = lockfile.Platform()
	}
	if !lockfile.ValidPlatform(platform) {
		return nil, "", fmt.Errorf("platform %q: want os_arch or any", platform)
	}
	if got := BinaryPlatform(path); got != "" && platform != lockfile.Any && got != platform {
		return nil, "", fmt.Errorf("%s is a %s binary, not %s", path, got, platform)
	}
	exe := filepath.Join(staged, filepath.Base(path))
	if err := copyFile(path, exe, 0o755); err != nil {
		return nil, "", err
	}
	if o.ManifestFrom == "" {
		if platform != lockfile.Platform() && platform != lockfile.Any {
			return nil, "", fmt.Errorf("a %s binary cannot be started here to describe itself: give --manifest-from with the plugin.json of the same release built for %s", platform, lockfile.Platform())
		}
		m, err := pluginhost.Register(ctx, exe, o.Env, o.Log)
		return m, platform, err
	}
	m, err := pluginhost.ReadManifest(o.ManifestFrom)
	if err != nil {
		return nil, "", err
	}
	if len(m.Command) > 0 {
		return nil, "", fmt.Errorf("%s describes an interpreted plugin; package its directory instead", o.ManifestFrom)
	}
	m.Executable, m.Files = filepath.Base(path), nil
	if m.SHA256, err = pluginhost.FileSHA256(exe); err != nil {
		return nil, "", err
	}
	return m, platform, pluginhost.WriteManifest(staged, m)
}

// copyPluginTree copies an interpreted plugin's directory, leaving out
// what does not belong in a release: hidden files, bytecode caches, Go
// test files beside the plugin, and an old plugin.json.
func copyPluginTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		name := d.Name()
		switch {
		case rel == ".":
			return nil
		case d.IsDir() && (strings.HasPrefix(name, ".") || name == "__pycache__"):
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		case strings.HasPrefix(name, "."), strings.HasSuffix(name, "_test.go"), rel == pluginhost.ManifestFile:
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			return fmt.Errorf("%s: symlinks cannot be packaged", p)
		case !d.Type().IsRegular():
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		mode := fs.FileMode(0o644)
		if fi.Mode().Perm()&0o111 != 0 {
			mode = 0o755
		}
		return copyFile(p, filepath.Join(dst, rel), mode)
	})
}

func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Chmod(mode); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// writeArchiveFile archives dir to path and returns the tree hash and the
// archive's sha256.
func writeArchiveFile(dir, path string) (hash, sum string, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", "", err
	}
	defer os.Remove(tmp.Name())
	if hash, err = WriteArchive(dir, tmp); err == nil {
		sum, err = hashFile(tmp)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	return hash, sum, err
}

// addToIndex puts the release into the output directory's index.json.
func addToIndex(out *Packaged, m *pluginhost.Manifest, o PackageOptions) error {
	ix, err := readIndexFile(out.Index)
	if err != nil {
		return err
	}
	desc := o.Description
	if desc == "" {
		desc = m.Description
	}
	ix.Add(IndexPlugin{Name: m.Name, Kind: m.Kind, Description: desc, License: o.License, Source: o.Source}, m.Version, m.Protocols,
		Archive{Platform: out.Platform, URL: filepath.Base(out.Archive), SHA256: out.SHA256, Hash: out.Hash, Signature: out.Signature})
	if o.Key != nil {
		pub := o.Key.Public().(ed25519.PublicKey)
		ix.AddKey(IndexKey{ID: KeyID(pub), Key: FormatPublicKey(pub), Publisher: o.Publisher})
	}
	if err := ix.Check(); err != nil {
		return fmt.Errorf("%s: %w", out.Index, err)
	}
	data, err := ix.Marshal()
	if err != nil {
		return err
	}
	return lockfile.WriteAtomic(out.Index, data, 0o644)
}

func writeJSON(path string, v any) error {
	data, err := jsonIndent(v)
	if err != nil {
		return err
	}
	return lockfile.WriteAtomic(path, data, 0o644)
}
