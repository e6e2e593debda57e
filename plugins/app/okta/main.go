// Command sa-app-okta is the sa app plugin that gathers an Okta org's
// System Log (StreamAlert app type okta_logevents). The host starts it;
// run by hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeApp(New())
}
