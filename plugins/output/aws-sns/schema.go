package main

import (
	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
	"github.com/streamalert-go/sa/sdk/schema"
)

// propAccount completes a topic name into an ARN.
const propAccount = "account_id"

// configSchema is StreamAlert's aws-sns properties, the topic's account,
// then the common AWS ones. outputs.json maps the descriptor to aws_value.
var configSchema = awsout.Schema(
	awsout.Descriptor("A short and unique descriptor for this SNS topic."),
	[]schema.Property{
		{
			Name:           awsout.PropResource,
			Description:    "SNS topic name, or topic ARN.",
			Required:       true,
			ForbiddenChars: " ",
			Example:        "arn:aws:sns:us-east-1:123456789012:sa-alerts",
		},
		{
			Name: propAccount,
			Description: "Account of the topic when aws_value is a name; by default the account of the credentials " +
				"(of the assumed role, if any), as StreamAlert used its own account.",
			Pattern: `[0-9]{12}`,
			Example: "123456789012",
		},
	},
	awsout.CommonOptions{RegionOptional: true},
)
