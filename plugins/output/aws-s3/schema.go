package main

import (
	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
	"github.com/streamalert-go/sa/sdk/schema"
)

// propPathStyle addresses the bucket in the path rather than the host
// name, which S3-compatible stores and local endpoints need.
const propPathStyle = "force_path_style"

// configSchema is StreamAlert's aws-s3 properties, path-style addressing,
// then the common AWS ones. outputs.json maps the descriptor to
// aws_value.
var configSchema = awsout.Schema(
	awsout.Descriptor("A short and unique descriptor for this S3 bucket (ie: bucket name)."),
	[]schema.Property{
		{
			Name:        awsout.PropResource,
			Description: "The AWS S3 bucket name to use for this S3 configuration.",
			Required:    true,
			Pattern:     `[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]`,
			Example:     "corp-sa-alerts",
		},
		{
			Name:        propPathStyle,
			Type:        schema.Boolean,
			Description: "Address the bucket in the URL path instead of the host name (for endpoint_url stores that need it).",
			Default:     "false",
		},
	},
	awsout.CommonOptions{},
)
