// Command sa-output-jira is the sa output plugin that files alerts as
// Jira Server or Data Center issues, logging in with a user name and
// password, as StreamAlert's jira output does. With aggregation it adds
// an alert as a comment to the open issue of the same rule. The host
// starts it; run by hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
