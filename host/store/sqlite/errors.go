package sqlite

import (
	"errors"
	"fmt"
	"io/fs"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/streamalert-go/sa/host/store"
)

// wrap adds the operation and marks storage failures as unavailable.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", op, classify(err))
}

// classify marks the failures of the storage underneath — the ones that
// leave nothing written and may pass if the call is made again — with
// store.ErrUnavailable. Constraint violations, bad SQL and corruption are
// left as they are: retrying them cannot help.
func classify(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // the primary code; extended codes carry detail in the high bits
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_READONLY,
			sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PROTOCOL,
			sqlite3.SQLITE_PERM:
			return store.Unavailable(err)
		}
		return err
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return store.Unavailable(err)
	}
	return err
}

// invalid marks a request that can never succeed as made.
func invalid(err error) error { return invalidError{err} }

type invalidError struct{ err error }

func (e invalidError) Error() string        { return e.err.Error() }
func (e invalidError) Unwrap() error        { return e.err }
func (e invalidError) Is(target error) bool { return target == store.ErrInvalid }

func invalidf(format string, args ...any) error { return invalid(fmt.Errorf(format, args...)) }
