// Command sa-output-phantom is the sa output plugin that files alerts as
// artifacts in Phantom (Splunk SOAR) containers, one container per rule,
// as StreamAlert's phantom output does. The host starts it; run by hand it
// only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
