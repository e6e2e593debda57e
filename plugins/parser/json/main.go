// Command sa-parser-json serves sa's json parser as a plugin; the parser
// itself is package jsonparser.
package main

import (
	"github.com/streamalert-go/sa/plugins/parser/json/jsonparser"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

func main() {
	saplugin.ServeParser(jsonparser.New())
}
