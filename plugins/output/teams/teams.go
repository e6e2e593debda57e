package main

import (
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// version is this plugin's release; it also appears in the User-Agent.
const version = "0.1.0"

// New returns the teams output: one POST of the message card per alert to
// the instance's webhook, whose answer classify reads.
func New() *httpout.IncomingWebhook {
	return httpout.NewIncomingWebhook(httpout.WebhookSpec{
		Info: saplugin.Info{Name: "teams", Version: version,
			Description: "Post alerts as message cards to a Microsoft Teams incoming webhook"},
		Schema:   configSchema,
		Render:   render,
		Classify: classify,
	})
}
