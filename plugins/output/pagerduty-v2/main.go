// Command sa-output-pagerduty-v2 is the sa output plugin that triggers
// PagerDuty incidents through the Events API v2, as StreamAlert's
// pagerduty-v2 output does. The host starts it; run by hand it only
// explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
