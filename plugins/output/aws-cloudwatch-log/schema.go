package main

import (
	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names of the log destination.
const (
	propLogGroup  = "log_group"
	propLogStream = "log_stream"
)

// defaultStream is the log stream written when none is named.
const defaultStream = "sa-alerts"

// configSchema is StreamAlert's descriptor, the log destination, then the
// common AWS properties. outputs.json lists the descriptor.
var configSchema = awsout.Schema(
	awsout.Descriptor("A short and unique descriptor for the cloudwatch log."),
	[]schema.Property{
		{
			Name:        propLogGroup,
			Description: "CloudWatch Logs log group the alerts are written to; it must exist.",
			Required:    true,
			Pattern:     `[.\-_/#A-Za-z0-9]{1,512}`,
			Example:     "/sa/alerts",
		},
		{
			Name:        propLogStream,
			Description: "Log stream in the group; it is created when missing.",
			Default:     defaultStream,
			Pattern:     `[^:*]{1,512}`,
		},
	},
	awsout.CommonOptions{},
)
