// Command sa-output-aws-ses is the sa output plugin that emails alerts
// through Amazon SES, as StreamAlert's aws-ses output does: a subject, a
// text or HTML body, and the alert's record attached as record.json. The
// host starts it; run by hand it only explains that it is a plugin.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeOutput(New())
}
