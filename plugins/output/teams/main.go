// Command sa-output-teams is the sa output plugin that posts alerts as
// message cards to Microsoft Teams incoming webhooks, as StreamAlert's
// teams output does. The host starts it; run by hand it only explains that
// it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
