//go:build linux || darwin || freebsd || netbsd || openbsd

package outputcfg

import "golang.org/x/sys/unix"

// echoOff stops the terminal echoing what is typed. It is called before a
// secret's prompt is printed: term.ReadPassword turns echo off only once
// it starts reading, and anything typed ahead of that, after the prompt
// appeared, would be shown.
func echoOff(fd int) error {
	t, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return err
	}
	t.Lflag &^= unix.ECHO
	t.Lflag |= unix.ICANON | unix.ISIG
	t.Iflag |= unix.ICRNL
	return unix.IoctlSetTermios(fd, ioctlSetTermios, t)
}
