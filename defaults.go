// Package sa holds the files sa ships beside its code: the default
// StreamAlert-format conf/, sample data, the sample rules and the default
// matchers, embedded so that `sa init` works from the binary alone.
package sa

import "embed"

// Defaults holds conf/, samples/, the sample rules and matchers/.
//
//go:embed conf samples rules/sample/cloudtrail_events.yaml matchers
var Defaults embed.FS
