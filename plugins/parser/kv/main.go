// Command sa-parser-kv serves sa's kv parser as a plugin; the parser itself
// is package kvparser.
package main

import (
	"github.com/streamalert-go/sa/plugins/parser/kv/kvparser"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

func main() {
	saplugin.ServeParser(kvparser.New())
}
