// Command sa-output-carbonblack is the sa output plugin that bans binaries
// in VMware Carbon Black EDR (CB Response): when a rule's context asks for
// it, the alert's MD5 hash is put on the server's banned list, as
// StreamAlert's carbonblack output does. The host starts it; run by hand
// it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
