package jsonparser

import (
	"testing"

	"github.com/streamalert-go/sa/plugins/parser/internal/parsertest"
)

// TestCompat runs the parser over StreamAlert's test events and holds the
// result to StreamAlert's own output and to testdata/compat.golden.
func TestCompat(t *testing.T) {
	parsertest.Run(t, "json", New())
}
