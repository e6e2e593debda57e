// Command sa-output-webhook is the sa output plugin that POSTs alerts as
// signed JSON to any HTTPS endpoint. The host starts it; run by hand it
// only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
