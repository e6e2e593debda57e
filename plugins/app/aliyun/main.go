// Command sa-app-aliyun is the sa app plugin that gathers Alibaba Cloud
// ActionTrail events with the LookupEvents API, as StreamAlert's
// aliyun_actiontrail app does. The host starts it; run by hand it only
// explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeApp(New())
}
