// Package sa holds the files sa ships beside its code: the default
// StreamAlert-format conf/ and sample data, embedded so that `sa init`
// works from the binary alone.
package sa

import "embed"

// Defaults holds conf/ and samples/.
//
//go:embed conf samples
var Defaults embed.FS
