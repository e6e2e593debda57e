package store

import "errors"

// The errors callers branch on, matched with errors.Is.
var (
	// ErrUnavailable marks a failure of the storage itself (disk full,
	// file unwritable, I/O error, lock held too long): nothing was
	// written, and the same call may pass later. Ingest answers 503 so the
	// sender retries.
	ErrUnavailable = errors.New("store unavailable")
	// ErrNotFound is returned for an id the store does not hold.
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when a write's premise no longer holds,
	// e.g. an alert to be replaced by a merge is already merged.
	ErrConflict = errors.New("conflict")
	// ErrInvalid is returned for a request that can never succeed as made.
	ErrInvalid = errors.New("invalid request")
	// ErrSchemaTooNew is returned by Open for a store written by a newer
	// sa, whose schema this one cannot know.
	ErrSchemaTooNew = errors.New("store schema is newer than this sa")
)

// Unavailable wraps err so that errors.Is(result, ErrUnavailable) holds while
// err stays reachable with errors.As. Implementations use it for failures of
// the storage underneath.
func Unavailable(err error) error {
	if err == nil {
		return nil
	}
	return unavailable{err}
}

type unavailable struct{ err error }

func (u unavailable) Error() string        { return u.err.Error() }
func (u unavailable) Unwrap() error        { return u.err }
func (u unavailable) Is(target error) bool { return target == ErrUnavailable }
func (u unavailable) Temporary() bool      { return true }
