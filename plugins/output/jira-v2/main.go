// Command sa-output-jira-v2 is the sa output plugin that files alerts as
// Jira Cloud issues through REST API 3, authenticated with an Atlassian
// API token, as StreamAlert's jira-v2 output does. With aggregation it
// adds an alert as a comment to the open issue of the same rule. The host
// starts it; run by hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
