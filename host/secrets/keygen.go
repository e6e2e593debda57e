package secrets

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// GenerateKey creates a new key and writes it to path as a 0600 key file in
// age-keygen's format (the stock age tool reads it), creating path's
// directory 0700 if needed. It never replaces an existing file, since the
// secrets written with that key would become unreadable: an existing path
// is an error matching fs.ErrExist.
//
// The file appears whole or not at all: it is written and fsynced under a
// temporary name and then hard-linked into place, which fails if path
// exists even when another process creates it at the same moment.
func GenerateKey(path string) (*Key, error) {
	k, err := NewKey()
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create key directory: %w", err)
	}
	// Assembled by hand into one exact-size buffer, zeroed below: fmt
	// would leave the private key in its pooled buffers.
	header := fmt.Sprintf("# sa secret store key, created %s\n# public key: %s\n",
		time.Now().UTC().Format(time.RFC3339), k.Recipient())
	priv := k.Secret().Reveal()
	text := make([]byte, 0, len(header)+len(priv)+1)
	text = append(append(append(text, header...), priv...), '\n')
	tmp, err := writeTemp(dir, text)
	clear(text)
	if err != nil {
		return nil, fmt.Errorf("write secret key file %s: %w", path, err)
	}
	defer os.Remove(tmp)
	if err := linkNew(tmp, path); err != nil {
		return nil, err
	}
	if err := syncDir(dir); err != nil {
		return nil, fmt.Errorf("write secret key file %s: %w", path, err)
	}
	k.source = path
	return k, nil
}

// linkNew puts tmp at path unless path exists. A hard link is atomic and
// refuses to replace; on file systems without hard links it falls back to
// check-then-rename, where only a concurrent creator of the same path in
// the instant between the two could be overwritten.
func linkNew(tmp, path string) error {
	exists := func() error {
		return fmt.Errorf("secret key file %s already exists; refusing to replace it, as the secrets written with it would become unreadable (to change keys, rotate the store to a new one instead): %w",
			path, fs.ErrExist)
	}
	err := os.Link(tmp, path)
	if err == nil {
		return nil
	}
	if errors.Is(err, fs.ErrExist) {
		return exists()
	}
	if _, serr := os.Lstat(path); serr == nil {
		return exists()
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write secret key file %s: %w", path, err)
	}
	return nil
}
