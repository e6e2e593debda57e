//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package outputcfg

import "errors"

// echoOff is left to term.ReadPassword where termios is not available.
func echoOff(int) error { return errors.ErrUnsupported }
