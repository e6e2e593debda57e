// Command sa-app-box is the sa app plugin that gathers Box enterprise
// (admin) events, as StreamAlert's box_admin_events app does. The host
// starts it; run by hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeApp(New())
}
