// Command sa-output-aws-sqs is the sa output plugin that sends alerts to
// an Amazon SQS queue, as StreamAlert's aws-sqs output does. The host
// starts it; run by hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
