//go:build unix

package install

import (
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// noFollow makes opening a file fail rather than follow a symlink.
const noFollow = syscall.O_NOFOLLOW

// lockPath takes an exclusive advisory lock on path, waiting for it, so two
// sa commands never install into one home at once.
func lockPath(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		unix.Flock(int(f.Fd()), unix.LOCK_UN)
		f.Close()
	}, nil
}
