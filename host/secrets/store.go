package secrets

import (
	"context"
	"errors"

	"github.com/streamalert-go/sa/sdk/schema"
)

// Store keeps credentials by name. Implementations are safe for concurrent
// use. Errors name the secret (and, where there is one, the file) but never
// contain a value.
type Store interface {
	// Get returns the named secret, decrypted for this call only; an
	// absent name is an error matching ErrNotFound.
	Get(ctx context.Context, name string) (Value, error)
	// Put stores v under name, replacing any previous value whole: a Value
	// is written and read as a unit, never merged property by property.
	Put(ctx context.Context, name string, v Value) error
	// Delete removes the named secret; an absent name matches ErrNotFound.
	Delete(ctx context.Context, name string) error
	// List returns the names that start with prefix ("" for all), sorted.
	// It never decrypts anything.
	List(ctx context.Context, prefix string) ([]string, error)
}

// Value is one secret: property name to value. Its values are
// schema.Secret, so printing, marshalling or logging a Value shows every
// value as "<secret>"; Reveal a property where it is used.
type Value map[string]schema.Secret

// Errors, for errors.Is. The errors returned wrap these with the secret's
// name and what to do about it.
var (
	// ErrNotFound: no secret has that name.
	ErrNotFound = errors.New("not found")
	// ErrInvalidName: a name breaks the rules of ValidateName.
	ErrInvalidName = errors.New("invalid secret name")
	// ErrWrongKey: the secret was encrypted to a different key.
	ErrWrongKey = errors.New("wrong key")
	// ErrCorrupt: a stored secret is damaged, truncated or not one at all.
	ErrCorrupt = errors.New("corrupted")
	// ErrInsecureKey: the key file is readable or writable by others.
	ErrInsecureKey = errors.New("key file permissions too open")
)
