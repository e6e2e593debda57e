// Command sa-output-komand is the sa output plugin that starts Rapid7
// InsightConnect (Komand) workflows: it POSTs each alert's publication to
// an API trigger, as StreamAlert's komand output does. The host starts it;
// run by hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
