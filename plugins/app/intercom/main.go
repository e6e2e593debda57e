// Command sa-app-intercom is the sa app plugin that gathers an Intercom
// workspace's admin activity logs (StreamAlert app type
// intercom_admin_activity_logs). The host starts it; run by hand it only
// explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeApp(New())
}
