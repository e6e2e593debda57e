package main

import (
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
	"github.com/streamalert-go/sa/plugins/output/internal/awsout/lambdaout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release.
const version = "0.1.0"

// configSchema is StreamAlert's aws-lambda properties, then the common
// AWS ones. outputs.json maps the descriptor to aws_value.
var configSchema = awsout.Schema(
	awsout.Descriptor("A short and unique descriptor for this Lambda function configuration (ie: abbreviated name)."),
	[]schema.Property{{
		Name: awsout.PropResource,
		Description: "The AWS Lambda function name, with the optional qualifier (aka 'alias'), to use for this " +
			"configuration (ie: output_function:qualifier), or the function's ARN.",
		Required:       true,
		ForbiddenChars: " ",
		Example:        "arn:aws:lambda:us-east-1:123456789012:function:sa-alert-handler:production",
	}},
	awsout.CommonOptions{RegionOptional: true},
)

// New returns the aws-lambda output.
func New() *awsout.Output[*lambdaout.Target] {
	return awsout.New(awsout.Service[*lambdaout.Target]{
		Info: saplugin.Info{Name: "aws-lambda", Version: version,
			Description: "Invoke an AWS Lambda function with each alert (deprecated: use aws-lambda-v2)"},
		Schema:       configSchema,
		ResourceProp: awsout.PropResource,
		Check:        check,
		Build: func(cfg aws.Config, c schema.Config) (*lambdaout.Target, error) {
			fn, err := awsout.ParseFunction(c.String(awsout.PropResource))
			return lambdaout.New(cfg, fn), err
		},
		Deliver: lambdaout.Deliver,
	})
}

// check reads aws_value and returns the region of a function ARN.
func check(cfg schema.Config) (string, []schema.Problem) {
	fn, err := awsout.ParseFunction(cfg.String(awsout.PropResource))
	if err != nil {
		return "", []schema.Problem{{Field: awsout.PropResource, Message: err.Error()}}
	}
	return fn.Region, nil
}
