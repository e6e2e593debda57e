package secrets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// FileStore is the embedded Store: one age-encrypted file per secret in a
// directory (see the package documentation for the layout and why). It is
// safe for concurrent use, and several processes may share a directory,
// since every write is an atomic rename; only Rotate needs the other
// processes stopped.
type FileStore struct {
	dir string
	// mu is held shared by every call and exclusively by Rotate, so that
	// no secret is written with the old key while Rotate moves to a new
	// one. Calls need no exclusion from each other: each file is replaced
	// by a rename, so a reader sees the old content or the new.
	mu sync.RWMutex
	// keys[0] encrypts; any of keys decrypts. There is more than one only
	// after a Rotate that did not finish, when secrets under either key
	// must stay readable.
	keys []*Key
}

// New opens the store in dir with key, creating dir 0700 if it is absent
// and taking group and other permissions off it if it has them: the files
// are encrypted, but their names say which services the team uses.
func New(dir string, key *Key) (*FileStore, error) {
	if key == nil || key.id == nil {
		return nil, errors.New("secret store: no key")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("secret store: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("secret store: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("secret store %s is not a directory", dir)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, fi.Mode().Perm()&0o700); err != nil {
			return nil, fmt.Errorf("secret store: restrict permissions: %w", err)
		}
	}
	return &FileStore{dir: dir, keys: []*Key{key}}, nil
}

// Dir is the directory the store keeps its files in.
func (s *FileStore) Dir() string { return s.dir }

// Get implements Store.
func (s *FileStore) Get(ctx context.Context, name string) (Value, error) {
	if err := begin(ctx, name); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.get(name)
}

// Put implements Store.
func (s *FileStore) Put(ctx context.Context, name string, v Value) error {
	if err := begin(ctx, name); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.put(name, v)
}

// Delete implements Store.
func (s *FileStore) Delete(ctx context.Context, name string) error {
	if err := begin(ctx, name); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	err := os.Remove(s.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("secret %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("secret %s: delete: %w", name, err)
	}
	if err := syncDir(s.dir); err != nil {
		return fmt.Errorf("secret %s: delete: %w", name, err)
	}
	return nil
}

// List implements Store. Files that are not secrets (temporary files, a
// README, an editor's backup) are skipped.
func (s *FileStore) List(ctx context.Context, prefix string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("list secrets: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.list(prefix)
}

// begin does the checks every call on one secret starts with.
func begin(ctx context.Context, name string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("secret %s: %w", name, err)
	}
	return nil
}

func (s *FileStore) path(name string) string { return filepath.Join(s.dir, fileName(name)) }

func (s *FileStore) get(name string) (Value, error) {
	path := s.path(name)
	ct, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("secret %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	plain, err := decrypt(ct, s.keys)
	if errors.Is(err, ErrWrongKey) {
		return nil, &wrongKeyError{name: name, keys: s.keys}
	}
	if err != nil {
		return nil, corrupt(name, path, err)
	}
	defer clear(plain)
	v, err := decodeValue(plain)
	if err != nil {
		return nil, corrupt(name, path, err)
	}
	return v, nil
}

func (s *FileStore) put(name string, v Value) error {
	plain, err := encodeValue(v)
	if err != nil {
		return fmt.Errorf("secret %s: %w", name, err)
	}
	defer clear(plain)
	ct, err := encrypt(plain, s.keys[0])
	if err != nil {
		return fmt.Errorf("secret %s: %w", name, err)
	}
	if err := writeAtomic(s.path(name), ct); err != nil {
		return fmt.Errorf("secret %s: %w", name, err)
	}
	return nil
}

func (s *FileStore) list(prefix string) ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("list secrets: %w", err)
	}
	var names []string
	for _, e := range entries {
		name, ok := nameOf(e.Name())
		if ok && e.Type().IsRegular() && strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
	}
	// ReadDir sorts by file name, and "+" sorts before "-" and "." where
	// "/" sorts after them.
	slices.Sort(names)
	return names, nil
}

// readFile reads a secret's file, refusing one too large to be a secret
// before reading it.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxFileSize {
		return nil, fmt.Errorf("%s is %w: it is %d bytes, larger than any secret", path, ErrCorrupt, fi.Size())
	}
	return io.ReadAll(io.LimitReader(f, maxFileSize))
}

// corrupt describes a damaged secret file, naming it and what to do.
func corrupt(name, path string, why error) error {
	return fmt.Errorf("secret %s: %s is %w: %w; restore it from a backup or set it again", name, path, ErrCorrupt, why)
}

// wrongKeyError says which key failed to decrypt which secret; it matches
// ErrWrongKey.
type wrongKeyError struct {
	name string
	keys []*Key
}

func (e *wrongKeyError) Error() string {
	srcs := make([]string, len(e.keys))
	for i, k := range e.keys {
		srcs[i] = k.source
	}
	return fmt.Sprintf("cannot decrypt %s: the key in %s is not the one it was written with",
		e.name, strings.Join(srcs, " or "))
}

func (e *wrongKeyError) Is(target error) bool { return target == ErrWrongKey }

// Interface guard.
var _ Store = (*FileStore)(nil)
