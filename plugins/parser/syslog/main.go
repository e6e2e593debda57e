// Command sa-parser-syslog serves sa's syslog parser as a plugin; the
// parser itself is package syslogparser.
package main

import (
	"github.com/streamalert-go/sa/plugins/parser/syslog/syslogparser"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

func main() {
	saplugin.ServeParser(syslogparser.New())
}
