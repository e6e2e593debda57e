package store

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

func TestUnavailable(t *testing.T) {
	cause := &fs.PathError{Op: "write", Path: "alerts.db", Err: errors.New("no space left on device")}
	err := fmt.Errorf("store: insert alerts: %w", Unavailable(cause))
	if !errors.Is(err, ErrUnavailable) {
		t.Error("errors.Is(err, ErrUnavailable) is false")
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe != cause {
		t.Error("the cause is not reachable with errors.As")
	}
	var tmp interface{ Temporary() bool }
	if !errors.As(err, &tmp) || !tmp.Temporary() {
		t.Error("not Temporary()")
	}
	if want := "store: insert alerts: write alerts.db: no space left on device"; err.Error() != want {
		t.Errorf("message = %q, want %q", err.Error(), want)
	}
	if Unavailable(nil) != nil {
		t.Error("Unavailable(nil) != nil")
	}
	if errors.Is(fmt.Errorf("x: %w", ErrConflict), ErrUnavailable) {
		t.Error("a conflict reads as unavailable")
	}
}
