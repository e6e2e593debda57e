// Command sa-app-gsuite is the sa app plugin that gathers Google Workspace
// (G Suite) audit activity from the Admin SDK Reports API, one application
// per instance, as StreamAlert's gsuite_* apps do. The host starts it; run
// by hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeApp(New())
}
