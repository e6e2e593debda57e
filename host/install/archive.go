package install

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/streamalert-go/sa/host/install/lockfile"
)

// Limits bound what sa accepts from an archive.
type Limits struct {
	// Archive is the largest download, compressed.
	Archive int64
	// Total is the most an archive may unpack to.
	Total int64
	// Files is the most entries an archive may hold.
	Files int
}

// DefaultLimits fit any real plugin with a wide margin and stop a
// decompression bomb long before it fills a disk.
var DefaultLimits = Limits{Archive: 512 << 20, Total: 1 << 30, Files: 10000}

// ErrUnsafe is wrapped when an archive holds something sa will not unpack:
// a path leaving the plugin directory, a link, a device, or more than the
// limits allow.
var ErrUnsafe = errors.New("unsafe archive")

// entryFunc sees each regular file of an archive, in archive order.
type entryFunc func(rel string, exec bool, body io.Reader) error

// walkArchive reads a gzip-compressed tar stream, refuses any entry that is
// not a safely named regular file or directory, and calls fn for each file.
func walkArchive(ctx context.Context, r io.Reader, lim Limits, fn entryFunc) error {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("%w: not a gzip-compressed tar archive: %w", ErrUnsafe, err)
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	seen := map[string]bool{} // files and directories, to catch clashes
	var total int64
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read archive: %w", err)
		}
		if n >= lim.Files {
			return fmt.Errorf("%w: more than %d entries", ErrUnsafe, lim.Files)
		}
		rel, err := entryPath(hdr)
		if err != nil || rel == "" {
			if err != nil {
				return err
			}
			continue
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := claim(seen, rel, true); err != nil {
				return err
			}
			continue
		case tar.TypeReg:
		default:
			return fmt.Errorf("%w: %s is %s; plugin archives hold only regular files and directories", ErrUnsafe, hdr.Name, typeName(hdr.Typeflag))
		}
		if err := claim(seen, rel, false); err != nil {
			return err
		}
		total += hdr.Size
		if hdr.Size < 0 || total > lim.Total {
			return fmt.Errorf("%w: unpacks to more than %d bytes", ErrUnsafe, lim.Total)
		}
		body := &ctxReader{ctx: ctx, r: io.LimitReader(tr, hdr.Size)}
		if err := fn(rel, hdr.Mode&0o111 != 0, body); err != nil {
			return err
		}
	}
}

// entryPath checks an entry's name and returns it relative and clean
// ("" for the archive's root directory).
func entryPath(hdr *tar.Header) (string, error) {
	switch hdr.Typeflag {
	case tar.TypeXGlobalHeader, tar.TypeXHeader:
		return "", nil
	}
	name := strings.TrimPrefix(hdr.Name, "./")
	if hdr.Typeflag == tar.TypeDir {
		name = strings.TrimSuffix(name, "/")
		if name == "" || name == "." {
			return "", nil
		}
	}
	if err := lockfile.CheckPath(name); err != nil {
		return "", fmt.Errorf("%w: entry %w", ErrUnsafe, err)
	}
	return name, nil
}

// claim records rel as a file or directory, refusing duplicates and a
// file where another entry needs a directory.
func claim(seen map[string]bool, rel string, dir bool) error {
	if isDir, ok := seen[rel]; ok {
		if dir && isDir {
			return nil
		}
		return fmt.Errorf("%w: %s appears twice", ErrUnsafe, rel)
	}
	for p := path.Dir(rel); p != "."; p = path.Dir(p) {
		if isDir, ok := seen[p]; ok && !isDir {
			return fmt.Errorf("%w: %s is inside file %s", ErrUnsafe, rel, p)
		}
		seen[p] = true
	}
	seen[rel] = dir
	return nil
}

func typeName(t byte) string {
	switch t {
	case tar.TypeSymlink:
		return "a symlink"
	case tar.TypeLink:
		return "a hard link"
	case tar.TypeChar, tar.TypeBlock:
		return "a device"
	case tar.TypeFifo:
		return "a FIFO"
	}
	return fmt.Sprintf("an entry of type %q", t)
}

// ctxReader stops a long copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// ArchiveContents is what an archive holds, read without unpacking it.
type ArchiveContents struct {
	// Hash is the tree hash of the files it unpacks to.
	Hash string
	// Manifest is its plugin.json, nil when it has none.
	Manifest []byte
}

// ReadArchive checks an archive as Unpack would and computes its tree hash
// without writing anything.
func ReadArchive(ctx context.Context, r io.Reader, lim Limits) (*ArchiveContents, error) {
	t := lockfile.NewTree()
	out := &ArchiveContents{}
	err := walkArchive(ctx, r, lim, func(rel string, _ bool, body io.Reader) error {
		if rel != manifestFile {
			return t.AddReader(rel, body)
		}
		data, err := io.ReadAll(io.LimitReader(body, maxManifest+1))
		if err != nil {
			return err
		}
		if len(data) > maxManifest {
			return fmt.Errorf("%w: plugin.json is larger than %d bytes", ErrUnsafe, maxManifest)
		}
		out.Manifest = data
		return t.AddReader(rel, strings.NewReader(string(data)))
	})
	if err != nil {
		return nil, err
	}
	out.Hash = t.Sum()
	return out, nil
}

// manifestFile is pluginhost.ManifestFile, which archives carry at their
// root; maxManifest bounds it, schema included.
const (
	manifestFile = "plugin.json"
	maxManifest  = 4 << 20
)

// Unpack extracts an archive into dir, which must be empty, and returns
// the tree hash of what it wrote. Files are created exclusively, never
// through links, and synced before Unpack returns, so once dir is renamed
// into place its contents survive a crash.
func Unpack(ctx context.Context, r io.Reader, dir string, lim Limits) (string, error) {
	return unpack(ctx, r, dir, lim, nil)
}

// unpack is Unpack with a hook called before each file is written, which
// tests use to stop an install part way, as a kill would.
func unpack(ctx context.Context, r io.Reader, dir string, lim Limits, hook func(rel string) error) (string, error) {
	t := lockfile.NewTree()
	err := walkArchive(ctx, r, lim, func(rel string, exec bool, body io.Reader) error {
		if hook != nil {
			if err := hook(rel); err != nil {
				return err
			}
		}
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		mode := fs.FileMode(0o644)
		if exec {
			mode = 0o755
		}
		sum, err := writeFile(dst, mode, body)
		if err != nil {
			return fmt.Errorf("unpack %s: %w", rel, err)
		}
		return t.Add(rel, sum)
	})
	if err != nil {
		return "", err
	}
	return t.Sum(), nil
}

// writeFile creates dst exclusively and copies body into it, returning the
// hex sha256 of what was written.
func writeFile(dst string, mode fs.FileMode, body io.Reader) (string, error) {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL|noFollow, mode)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), body); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Chmod(mode); err != nil { // past the umask
		f.Close()
		return "", err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), f.Close()
}

// WriteArchive writes the regular files under dir as a gzip-compressed tar
// archive to w, and returns its tree hash. The archive is reproducible:
// files sorted, times, owners and permissions beyond the executable bit
// left out.
func WriteArchive(dir string, w io.Writer) (string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return nil
		case !d.Type().IsRegular():
			return fmt.Errorf("%s: only regular files can be packaged", p)
		}
		rel, _ := filepath.Rel(dir, p)
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(files)
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	t := lockfile.NewTree()
	for _, rel := range files {
		if err := addFile(tw, t, dir, rel); err != nil {
			return "", err
		}
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	return t.Sum(), gz.Close()
}

func addFile(tw *tar.Writer, t *lockfile.Tree, dir, rel string) error {
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	mode := int64(0o644)
	if fi.Mode().Perm()&0o111 != 0 {
		mode = 0o755
	}
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: rel, Size: fi.Size(), Mode: mode, ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tw, h), f); err != nil {
		return err
	}
	return t.Add(rel, hex.EncodeToString(h.Sum(nil)))
}
