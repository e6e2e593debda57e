// Command sa-parser-csv serves sa's csv parser as a plugin; the parser
// itself is package csvparser.
package main

import (
	"github.com/streamalert-go/sa/plugins/parser/csv/csvparser"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

func main() {
	saplugin.ServeParser(csvparser.New())
}
