package secrets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"runtime"
	"strings"

	"filippo.io/age"

	"github.com/streamalert-go/sa/sdk/schema"
)

// EnvKey is the environment variable that may hold the store's key, the
// "AGE-SECRET-KEY-1..." line (or a whole key file's text), for hosts where
// a secret is injected into the environment rather than written to disk.
// Plugins never see it: the plugin host gives them an environment of its
// own choosing.
const EnvKey = "SA_SECRET_KEY"

// envSource is how errors name a key that came from the environment.
const envSource = "$" + EnvKey

// maxKeyFile bounds what is read of a key file; an age-keygen file is
// about 190 bytes, so anything near this is not a key file.
const maxKeyFile = 64 << 10

// Key is the age X25519 identity a FileStore encrypts to and decrypts with,
// and where it came from, which errors name so that a wrong key is
// traceable to the file or variable that supplied it.
//
// Printing, marshalling or logging a Key shows its source and public
// recipient, never the private key: age's own identity type prints the
// private key, so it is kept unexported here.
type Key struct {
	id     *age.X25519Identity
	source string
}

// NewKey returns a fresh key held only in memory: for SA_SECRET_KEY users
// and tests. Its Secret is what to store.
func NewKey() (*Key, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("generate age key: %w", err)
	}
	return &Key{id: id, source: "memory"}, nil
}

// ParseKey parses an age identity from text: the bare "AGE-SECRET-KEY-1..."
// line or a key file's whole content, comments included. source names where
// the text came from, for errors (the text itself never appears in them).
func ParseKey(text []byte, source string) (*Key, error) {
	var found []string
	for line := range bytes.Lines(text) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		found = append(found, string(line))
	}
	switch {
	case len(found) == 0:
		return nil, fmt.Errorf("%s holds no age key (an AGE-SECRET-KEY-1... line)", source)
	case len(found) > 1:
		return nil, fmt.Errorf("%s holds %d non-comment lines; sa uses exactly one age key", source, len(found))
	}
	// age's parse errors can quote characters of the key, so they are
	// replaced, not wrapped.
	id, err := age.ParseX25519Identity(found[0])
	if err != nil {
		return nil, fmt.Errorf("%s does not hold a valid age X25519 key (an AGE-SECRET-KEY-1... line)", source)
	}
	return &Key{id: id, source: source}, nil
}

// KeyFromEnv returns the key in $SA_SECRET_KEY, or ok false when the
// variable is unset or empty.
func KeyFromEnv() (k *Key, ok bool, err error) {
	v := os.Getenv(EnvKey)
	if strings.TrimSpace(v) == "" {
		return nil, false, nil
	}
	b := []byte(v)
	defer clear(b)
	k, err = ParseKey(b, envSource)
	return k, err == nil, err
}

// LoadKey returns the key from $SA_SECRET_KEY when it is set, else from the
// key file at path. The variable wins, as environment settings do, so a
// container can carry its key without a file; Key.Source tells which was
// used.
func LoadKey(path string) (*Key, error) {
	if k, ok, err := KeyFromEnv(); ok || err != nil {
		return k, err
	}
	return LoadKeyFile(path)
}

// LoadKeyFile reads the key file at path. It refuses a file that group or
// others may read or write, as ssh does with private keys: such a key may
// already be copied, and a team should learn that now rather than after a
// breach. (Windows has no such mode bits; there the check is skipped.)
func LoadKeyFile(path string) (*Key, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("secret key file %s does not exist: create it with `sa init`, or set $%s: %w", path, EnvKey, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open secret key file: %w", err)
	}
	defer f.Close()
	// Stat the open file, not the path, so the file checked is the file read.
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("secret key file %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("secret key file %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, fmt.Errorf("secret key file %s has mode %04o, open to group or others: run `chmod 600 %s` (and consider the key exposed if others could read it): %w",
			path, perm, path, ErrInsecureKey)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	defer clear(data)
	if err != nil {
		return nil, fmt.Errorf("read secret key file %s: %w", path, err)
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("secret key file %s is over %d bytes: not an age key file", path, maxKeyFile)
	}
	return ParseKey(data, path)
}

// The methods below have value receivers so that a Key value, not only a
// *Key, masks itself when printed.

// Source is the file the key was read from, "$SA_SECRET_KEY", or "memory"
// for a key from NewKey not yet written anywhere.
func (k Key) Source() string { return k.source }

// Recipient is the key's public half ("age1..."), safe to show: it
// identifies the key without revealing it.
func (k Key) Recipient() string {
	if k.id == nil {
		return "(none)"
	}
	return k.id.Recipient().String()
}

// Secret is the private key as an "AGE-SECRET-KEY-1..." string, masked
// until revealed: for putting a new key into $SA_SECRET_KEY's source.
func (k Key) Secret() schema.Secret { return schema.Secret(k.id.String()) }

// String implements fmt.Stringer without the private key.
func (k Key) String() string { return fmt.Sprintf("age key %s from %s", k.Recipient(), k.source) }

// GoString implements fmt.GoStringer, so %#v cannot reach the identity.
func (k Key) GoString() string { return k.String() }

// MarshalJSON implements json.Marshaler without the private key.
func (k Key) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Recipient string `json:"recipient"`
		Source    string `json:"source"`
	}{k.Recipient(), k.source})
}

// LogValue implements slog.LogValuer without the private key.
func (k Key) LogValue() slog.Value {
	return slog.GroupValue(slog.String("recipient", k.Recipient()), slog.String("source", k.source))
}
