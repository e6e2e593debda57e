// Command sa-output-aws-lambda-v2 is the sa output plugin that invokes an
// AWS Lambda function with each alert, in this account or, through an
// assumed role, another, as StreamAlert's aws-lambda-v2 output does. The
// host starts it; run by hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
