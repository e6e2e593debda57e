// Command sa-app-threatstream is the sa app plugin that downloads threat
// intelligence indicators from Anomali ThreatStream, as StreamAlert's
// threat intel downloader does, and emits them as IOCs for sa's IOC store.
// The host starts it; run by hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeApp(New())
}
