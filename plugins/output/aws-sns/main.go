// Command sa-output-aws-sns is the sa output plugin that publishes alerts
// to an Amazon SNS topic, as StreamAlert's aws-sns output does. The host
// starts it; run by hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
