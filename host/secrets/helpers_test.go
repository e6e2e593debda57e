package secrets_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/streamalert-go/sa/host/secrets"
)

// newKeyFile writes a fresh key file in a new temporary directory.
func newKeyFile(t testing.TB) (*secrets.Key, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "key.txt")
	k, err := secrets.GenerateKey(path)
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	return k, path
}

// newStore opens a store, in a directory it does not create beforehand,
// with a key from a fresh key file.
func newStore(t testing.TB) (*secrets.FileStore, *secrets.Key) {
	t.Helper()
	k, _ := newKeyFile(t)
	return openStore(t, filepath.Join(t.TempDir(), "secrets"), k), k
}

func openStore(t testing.TB, dir string, k *secrets.Key) *secrets.FileStore {
	t.Helper()
	s, err := secrets.New(dir, k)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func mustPut(t testing.TB, s secrets.Store, name string, v secrets.Value) {
	t.Helper()
	if err := s.Put(context.Background(), name, v); err != nil {
		t.Fatalf("Put(%s): %v", name, err)
	}
}

// storeFile is where a FileStore keeps name: the on-disk layout is part of
// the contract (operators decrypt files with the stock age tool).
func storeFile(s *secrets.FileStore, name string) string {
	return filepath.Join(s.Dir(), filepathName(name))
}

func filepathName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if c == '/' {
			b[i] = '+'
		}
	}
	return string(b) + ".age"
}

func mode(t testing.TB, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}
