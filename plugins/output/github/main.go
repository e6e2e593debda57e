// Command sa-output-github is the sa output plugin that opens a GitHub
// issue for each alert, as StreamAlert's github output does. The host
// starts it; run by hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
