// Command good is a conformant output plugin for the harness's own tests.
package main

import (
	"context"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

type good struct{}

func (good) Info() saplugin.Info { return saplugin.Info{Name: "good", Version: "1.0.0"} }

func (good) Schema() schema.Schema {
	return schema.Schema{Properties: []schema.Property{
		{Name: "key", Required: true, Secret: true, Pattern: `[a-z]{4,}`, Example: "abcd"},
	}}
}

func (good) Send(context.Context, saplugin.SendRequest) saplugin.SendResult {
	return saplugin.SendResult{Status: saplugin.Delivered}
}

func main() { saplugin.ServeOutput(good{}) }
