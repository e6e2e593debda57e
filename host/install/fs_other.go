//go:build !unix

package install

// noFollow is unavailable here; archives never create links to follow.
const noFollow = 0

// lockPath does not lock where flock is unavailable.
func lockPath(string) (func(), error) { return func() {}, nil }
