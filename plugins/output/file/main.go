// Command sa-output-file is an output plugin that appends each alert, as
// one JSON line, to a local file: an audit trail, a feed for another tool,
// and the sample output `sa init` configures.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() { saplugin.ServeOutput(New()) }
