package install

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// swapDirs exchanges two directories in one atomic step, so a reinstall of
// the same version never leaves a moment with no plugin in place.
func swapDirs(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) {
		return swapByRename(a, b)
	}
	if err != nil {
		return &os.LinkError{Op: "exchange", Old: a, New: b, Err: err}
	}
	return nil
}
