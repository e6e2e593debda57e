// Command sa-output-slack is the sa output plugin that posts alerts to
// Slack incoming webhooks, as StreamAlert's slack output does. The host
// starts it; run by hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
