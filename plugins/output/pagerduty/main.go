// Command sa-output-pagerduty is the sa output plugin that triggers
// PagerDuty incidents through the generic Events API v1, as StreamAlert's
// pagerduty output does. New integrations should prefer pagerduty-v2. The
// host starts it; run by hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
