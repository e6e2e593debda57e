package secrets

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// tmpPrefix starts every temporary file name. A leading '.' can never
// start a secret's file name, so List and readers never mistake one for a
// secret, and a crash can only leave ciphertext behind in one.
const tmpPrefix = ".tmp-"

// writeTemp writes data to a new 0600 temporary file in dir and fsyncs it,
// returning its path. The caller renames or links it into place, or
// removes it.
func writeTemp(dir string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return "", fmt.Errorf("create temporary file: %w", err)
	}
	tmp := f.Name()
	// CreateTemp already uses 0600; Chmod states it rather than relying
	// on it.
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("write %s: %w", tmp, err)
	}
	return tmp, nil
}

// writeAtomic replaces path with data so that a crash at any point leaves
// the old content or the new, never a mix: temporary file, fsync, rename,
// fsync of the directory (without which the rename itself may not survive
// a power loss).
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := writeTemp(dir, data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("replace %s: %w", path, err)
	}
	return syncDir(dir)
}

// syncDir makes the directory entries of dir durable. Windows cannot
// fsync a directory and makes renames durable by itself, so it is skipped
// there.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
