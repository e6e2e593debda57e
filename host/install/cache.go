package install

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrChecksum is wrapped when a download does not have the sha256 its
// index entry or lock promises.
var ErrChecksum = errors.New("checksum mismatch")

// Cache keeps downloaded archives by sha256, shared by every home of the
// user. Nothing in it is trusted: an archive is hashed again each time it
// is taken out, so the cache can never weaken what the index, signature or
// lock file vouch for.
type Cache struct {
	dir string
}

// NewCache uses dir, creating it private to the user.
func NewCache(dir string) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("download cache: %w", err)
	}
	return &Cache{dir: dir}, nil
}

func (c *Cache) path(sum string) string { return filepath.Join(c.dir, sum+".tar.gz") }

// Open returns the cached archive with sha256 sum, positioned at its start,
// after checking that it still has that sum. A corrupt entry is removed
// and reported as a miss.
func (c *Cache) Open(sum string) (*os.File, bool, error) {
	if !sha256RE.MatchString(sum) {
		return nil, false, nil
	}
	f, err := os.Open(c.path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	got, err := hashFile(f)
	if err != nil {
		f.Close()
		return nil, false, err
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(sum)) != 1 {
		f.Close()
		os.Remove(c.path(sum))
		return nil, false, nil
	}
	return f, true, nil
}

// Put stores what r yields, at most limit bytes, hashing it on the way.
// With want set, content whose sha256 differs is discarded with an error
// wrapping ErrChecksum. It returns the stored archive, positioned at its
// start, and its sha256.
func (c *Cache) Put(r io.Reader, want string, limit int64) (*os.File, string, error) {
	tmp, err := os.CreateTemp(c.dir, ".download-*")
	if err != nil {
		return nil, "", err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, limit+1))
	if err == nil && n > limit {
		err = fmt.Errorf("%w: the archive is larger than %d bytes", ErrUnsafe, limit)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, "", err
	}
	got := hex.EncodeToString(h.Sum(nil))
	if want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return nil, got, fmt.Errorf("%w: the archive's sha256 is %s, the index says %s", ErrChecksum, got, want)
	}
	if err := os.Rename(tmp.Name(), c.path(got)); err != nil {
		return nil, "", err
	}
	f, ok, err := c.Open(got)
	if err == nil && !ok {
		err = fmt.Errorf("download cache: %s changed while it was stored", c.path(got))
	}
	return f, got, err
}

// hashFile returns the hex sha256 of f and seeks back to its start.
func hashFile(f *os.File) (string, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
