package main

import (
	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
	"github.com/streamalert-go/sa/sdk/schema"
)

// configSchema is StreamAlert's aws-sqs properties, then the common AWS
// ones. outputs.json maps the descriptor to aws_value.
var configSchema = awsout.Schema(
	awsout.Descriptor("A short and unique descriptor for this SQS queue."),
	[]schema.Property{{
		Name:           awsout.PropResource,
		Description:    "SQS queue name, or the queue URL for a queue of another account.",
		Required:       true,
		ForbiddenChars: " ",
		Example:        "sa-alerts",
	}},
	awsout.CommonOptions{},
)
