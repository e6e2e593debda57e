// Package flock takes the advisory file locks by which sa's processes
// (sa serve and the sa commands run beside it) keep out of each other's
// way: one plugin install into a home at a time, one edit of its output
// files, one poll of an app instance, one writer of a dead letter store.
package flock

import "errors"

// ErrLocked is returned by TryLock when another holder has the lock.
var ErrLocked = errors.New("locked by another process")

// Lock takes an exclusive lock on path, a file of its own created when
// missing, waiting for it. unlock releases it.
func Lock(path string) (unlock func(), err error) { return lock(path, true) }

// TryLock takes the lock Lock takes without waiting; it fails with an
// error matching ErrLocked when another holder has it.
func TryLock(path string) (unlock func(), err error) { return lock(path, false) }
