package deploy

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Lambda's limits on a package uploaded directly (not through S3) and on
// its unzipped size.
const (
	maxZipBytes      = 50 << 20
	maxUnzippedBytes = 250 << 20
)

// zipTime is every entry's modification time, so that the same inputs
// make the same zip and Terraform sees no change to deploy.
var zipTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// copyTree copies the regular files below src into dst, keeping the
// executable bit. Hidden entries (.git, editor files) are skipped and
// symbolic links refused: the package holds exactly what sa.yaml names.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if rel != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case !d.Type().IsRegular():
			return fmt.Errorf("%s: not a regular file; the package takes files only", path)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return copyFile(path, target, info.Mode().Perm()&0o111 != 0)
	})
}

func copyFile(src, dst string, exec bool) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	mode := os.FileMode(0o644)
	if exec {
		mode = 0o755
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// zipDir writes the files below dir to a zip at out, in name order, with
// fixed times and Unix modes, and checks Lambda's size limits.
func zipDir(dir, out string) error {
	var files []string
	var unzipped int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		unzipped += info.Size()
		files = append(files, path)
		return nil
	})
	if err != nil {
		return err
	}
	if unzipped > maxUnzippedBytes {
		return fmt.Errorf("package is %d MiB unzipped, over Lambda's %d MiB: package fewer plugins", unzipped>>20, maxUnzippedBytes>>20)
	}
	sort.Strings(files)
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	for _, path := range files {
		if err := addFile(zw, dir, path); err != nil {
			f.Close()
			return err
		}
	}
	if err := errors.Join(zw.Close(), f.Close()); err != nil {
		return err
	}
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	if st.Size() > maxZipBytes {
		return fmt.Errorf("package %s is %d MiB, over the %d MiB Lambda takes directly: package fewer plugins", out, st.Size()>>20, maxZipBytes>>20)
	}
	return nil
}

func addFile(zw *zip.Writer, root, path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	rel, _ := filepath.Rel(root, path)
	h := &zip.FileHeader{Name: filepath.ToSlash(rel), Method: zip.Deflate, Modified: zipTime}
	h.SetMode(info.Mode().Perm())
	w, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	_, err = io.Copy(w, in)
	return err
}
