package main

import (
	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// version is this plugin's release; it also appears in the User-Agent.
const version = "0.1.0"

// New returns the slack output: one POST of the message per alert to the
// instance's webhook. Slack answers 200 "ok", or an error code in plain
// text (invalid_payload, channel_not_found, no_service, ...) that the
// result's message quotes.
func New() *httpout.IncomingWebhook {
	return httpout.NewIncomingWebhook(httpout.WebhookSpec{
		Info:   saplugin.Info{Name: "slack", Version: version, Description: "Post alerts to a Slack incoming webhook"},
		Schema: configSchema,
		Render: render,
	})
}

// render is the JSON of the alert's message.
func render(in httpout.Input) ([]byte, error) {
	msg, err := format(in)
	if err != nil {
		return nil, err
	}
	return httpout.JSON(msg)
}
