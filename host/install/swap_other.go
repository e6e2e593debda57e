//go:build !linux

package install

// swapDirs exchanges two directories with two renames.
func swapDirs(a, b string) error { return swapByRename(a, b) }
