// Command sa-output-demisto is the sa output plugin that opens incidents
// in Demisto (Cortex XSOAR), as StreamAlert's demisto output does. The
// host starts it; run by hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
