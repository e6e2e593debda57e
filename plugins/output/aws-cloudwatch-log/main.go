// Command sa-output-aws-cloudwatch-log is the sa output plugin that
// writes alerts to a CloudWatch Logs log stream. StreamAlert's
// aws-cloudwatch-log output logged alerts to its own Lambda function's
// log; sa, which need not run in Lambda, names the log group and stream.
// The host starts it; run by hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
