//go:build !unix

package install

// noFollow is unavailable here; archives never create links to follow.
const noFollow = 0
