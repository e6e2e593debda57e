//go:build unix

package main

import (
	"os"
	"syscall"
)

// idOf returns the device and inode of a file.
func idOf(fi os.FileInfo) fileID {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}
	}
	// The conversions matter where Dev or Ino are narrower or signed.
	return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino)}
}
