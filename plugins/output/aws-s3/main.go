// Command sa-output-aws-s3 is the sa output plugin that stores each alert
// as a JSON object in an Amazon S3 bucket, as StreamAlert's aws-s3 output
// does. The host starts it; run by hand it only explains that it is a
// plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
