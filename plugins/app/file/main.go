// Command sa-app-file is the sa app plugin that gathers newline-delimited
// logs from a local file or directory. The host starts it; run by hand it
// only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeApp(New())
}
