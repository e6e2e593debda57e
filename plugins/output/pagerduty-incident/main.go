// Command sa-output-pagerduty-incident is the sa output plugin that opens
// a PagerDuty incident through the Events API v2 and then shapes it with
// the REST API (assignment, priority, urgency, responders, a note), as
// StreamAlert's pagerduty-incident output does. The host starts it; run by
// hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
