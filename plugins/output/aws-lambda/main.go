// Command sa-output-aws-lambda is the sa output plugin that invokes an AWS
// Lambda function with each alert, as StreamAlert's aws-lambda output
// does. StreamAlert deprecated it for aws-lambda-v2; it is kept so that
// existing outputs.json files keep working. The host starts it; run by
// hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
