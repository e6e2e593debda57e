// Command sa-app-slack is the sa app plugin that gathers a Slack
// workspace's access and integration logs (StreamAlert app types
// slack_access and slack_integration). The host starts it; run by hand it
// only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeApp(New())
}
