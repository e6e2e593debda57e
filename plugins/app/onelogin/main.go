// Command sa-app-onelogin is the sa app plugin that gathers a OneLogin
// account's events (StreamAlert app type onelogin_events). The host starts
// it; run by hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeApp(New())
}
