// Package sa holds the files sa ships beside its code: the default
// StreamAlert-format conf/, sample logs and rules (samples/) and the default
// matchers, embedded so that `sa init` works from the binary alone.
package sa

import "embed"

// Defaults holds conf/, samples/logs, samples/rules and matchers/.
//
//go:embed conf samples matchers
var Defaults embed.FS
