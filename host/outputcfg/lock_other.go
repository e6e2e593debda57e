//go:build !unix

package outputcfg

// lockFile does nothing where flock is unavailable: concurrent edits of
// one home are then the operator's to avoid.
func lockFile(string) (func(), error) { return func() {}, nil }
