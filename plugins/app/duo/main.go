// Command sa-app-duo is the sa app plugin that gathers Duo's
// authentication and administrator logs (StreamAlert app types duo_auth
// and duo_admin) through the Admin API. The host starts it; run by hand it
// only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeApp(New())
}
