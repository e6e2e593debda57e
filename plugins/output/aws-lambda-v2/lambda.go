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

// Property names, StreamAlert's.
const (
	propFunction  = "lambda_function_arn"
	propQualifier = "function_qualifier"
)

// configSchema is StreamAlert's aws-lambda-v2 properties, which it keeps
// with the credentials (assume_role_arn among them), then the common AWS
// ones. outputs.json lists the descriptor.
var configSchema = awsout.Schema(
	awsout.Descriptor("A short and unique descriptor for this Lambda function configuration (ie: abbreviated name)."),
	[]schema.Property{
		{
			Name:           propFunction,
			Description:    "The ARN of the AWS Lambda function to Invoke.",
			Required:       true,
			Credential:     true,
			ForbiddenChars: " ",
			Example:        "arn:aws:lambda:us-east-1:123456789012:function:sa-alert-handler",
		},
		{
			Name:           propQualifier,
			Description:    "The function qualifier/alias to invoke.",
			Credential:     true,
			ForbiddenChars: " ",
			Example:        "production",
		},
	},
	awsout.CommonOptions{RegionOptional: true, RoleIsCredential: true},
)

// New returns the aws-lambda-v2 output.
func New() *awsout.Output[*lambdaout.Target] {
	return awsout.New(awsout.Service[*lambdaout.Target]{
		Info: saplugin.Info{Name: "aws-lambda-v2", Version: version,
			Description: "Invoke an AWS Lambda function with each alert, optionally through an assumed role"},
		Schema:       configSchema,
		ResourceProp: propFunction,
		Check:        check,
		Build: func(cfg aws.Config, c schema.Config) (*lambdaout.Target, error) {
			fn, err := function(c)
			return lambdaout.New(cfg, fn), err
		},
		Deliver: lambdaout.Deliver,
	})
}

// function reads the function and its qualifier, which may come with the
// ARN or on its own, but not both ways differently.
func function(cfg schema.Config) (awsout.Function, error) {
	fn, err := awsout.ParseFunction(cfg.String(propFunction))
	if err != nil {
		return fn, err
	}
	if q := cfg.String(propQualifier); q != "" {
		fn.Qualifier = q
	}
	return fn, nil
}

func check(cfg schema.Config) (string, []schema.Problem) {
	fn, err := awsout.ParseFunction(cfg.String(propFunction))
	if err != nil {
		return "", []schema.Problem{{Field: propFunction, Message: err.Error()}}
	}
	q := cfg.String(propQualifier)
	if err := awsout.CheckQualifier(q); err != nil {
		return fn.Region, []schema.Problem{{Field: propQualifier, Message: err.Error()}}
	}
	if q != "" && fn.Qualifier != "" && q != fn.Qualifier {
		return fn.Region, []schema.Problem{{Field: propQualifier, Message: "differs from the qualifier in " + propFunction}}
	}
	return fn.Region, nil
}
