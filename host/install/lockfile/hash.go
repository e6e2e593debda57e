package lockfile

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// HashPrefix names the tree hash scheme. A tree hash is
//
//	sa1:<hex sha256 of the summary>
//
// where the summary has one line per regular file of the plugin,
//
//	<hex sha256 of the file's contents>  <slash-separated relative path>\n
//
// sorted by path. Directories are not listed and permissions are not
// hashed; a plugin holding anything but regular files and directories has
// no tree hash. The same summary comes from an archive's entries as from
// the directory it unpacks to, so one hash in sa.lock verifies both the
// download and the installed plugin, on every platform.
const HashPrefix = "sa1:"

// ErrHashMismatch is wrapped when a plugin's files do not have the tree
// hash sa.lock records.
var ErrHashMismatch = errors.New("files do not match sa.lock")

var hashRE = regexp.MustCompile(`^sa1:[0-9a-f]{64}$`)

// ValidHash reports whether h is a well-formed tree hash.
func ValidHash(h string) bool { return hashRE.MatchString(h) }

// Tree accumulates the files of a plugin and sums them.
type Tree struct {
	files map[string]string
}

// NewTree returns an empty tree.
func NewTree() *Tree { return &Tree{files: map[string]string{}} }

// Add records the file at rel, a slash-separated relative path, with the
// hex sha256 of its contents.
func (t *Tree) Add(rel, sum string) error {
	if err := CheckPath(rel); err != nil {
		return err
	}
	if _, dup := t.files[rel]; dup {
		return fmt.Errorf("%s: listed twice", rel)
	}
	t.files[rel] = sum
	return nil
}

// AddReader reads a file's contents and records it.
func (t *Tree) AddReader(rel string, r io.Reader) error {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	return t.Add(rel, hex.EncodeToString(h.Sum(nil)))
}

// Files lists the recorded paths, sorted.
func (t *Tree) Files() []string {
	out := make([]string, 0, len(t.files))
	for f := range t.files {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Sum returns the tree hash.
func (t *Tree) Sum() string {
	h := sha256.New()
	for _, f := range t.Files() {
		fmt.Fprintf(h, "%s  %s\n", t.files[f], f)
	}
	return HashPrefix + hex.EncodeToString(h.Sum(nil))
}

// CheckPath accepts a clean, relative, slash-separated path that stays
// inside the plugin directory.
func CheckPath(rel string) error {
	switch {
	case rel == "" || rel == ".":
		return errors.New("empty path")
	case strings.ContainsAny(rel, "\\\x00\n\r"):
		return fmt.Errorf("%q: path holds a backslash or control character", rel)
	case strings.HasPrefix(rel, "/"):
		return fmt.Errorf("%q: absolute path", rel)
	case path.Clean(rel) != rel:
		return fmt.Errorf("%q: path is not clean", rel)
	case rel == ".." || strings.HasPrefix(rel, "../"):
		return fmt.Errorf("%q: path leaves the plugin directory", rel)
	}
	return nil
}

// HashDir computes the tree hash of the plugin directory dir.
func HashDir(dir string) (string, error) {
	t := NewTree()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			return fmt.Errorf("%s: symlinks are not allowed in a plugin directory", p)
		case !d.Type().IsRegular():
			return fmt.Errorf("%s: only regular files are allowed in a plugin directory", p)
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return t.AddReader(rel, f)
	})
	if err != nil {
		return "", err
	}
	return t.Sum(), nil
}

// VerifyDir checks that dir has the tree hash want.
func VerifyDir(dir, want string) error {
	got, err := HashDir(dir)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return fmt.Errorf("%w: %s has %.16s…, sa.lock records %.16s…; a file was changed, added or removed after install", ErrHashMismatch, dir, got, want)
	}
	return nil
}
