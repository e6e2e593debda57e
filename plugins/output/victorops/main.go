// Command sa-output-victorops is the sa output plugin that raises
// VictorOps (Splunk On-Call) incidents through the REST endpoint
// integration, as StreamAlert's victorops output does. The host starts it;
// run by hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
