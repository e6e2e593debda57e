// Command sa-output-aws-firehose is the sa output plugin that puts alerts
// on an Amazon Data Firehose delivery stream, as StreamAlert's
// aws-firehose output does (its required aws-firehose:alerts output keeps
// every alert in S3 for Athena). The host starts it; run by hand it only
// explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
