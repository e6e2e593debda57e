package pluginhost

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// ErrChecksum is wrapped by every checksum mismatch.
var ErrChecksum = errors.New("checksum mismatch")

// FileSHA256 returns the hex sha256 of a file.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Verify checks every file the manifest records against its checksum: the
// executable and, for interpreted plugins, each file in Files. It reports
// every file that differs, not only the first.
func Verify(p *Installed) error {
	want := map[string]string{p.Manifest.Executable: p.Manifest.SHA256}
	for f, sum := range p.Manifest.Files {
		want[f] = sum
	}
	names := make([]string, 0, len(want))
	for f := range want {
		names = append(names, f)
	}
	sort.Strings(names)
	var errs []error
	for _, f := range names {
		got, err := FileSHA256(filepath.Join(p.Dir, f))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f, err))
			continue
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(want[f])) != 1 {
			errs = append(errs, fmt.Errorf("%s: %w: the file was changed after install (recorded %.12s…, now %.12s…)", f, ErrChecksum, want[f], got))
		}
	}
	return errors.Join(errs...)
}
