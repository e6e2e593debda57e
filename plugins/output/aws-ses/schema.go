package main

import (
	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Property names, StreamAlert's.
const (
	propFrom = "from_email"
	propTo   = "to_emails"
)

// configSchema is StreamAlert's aws-ses properties, which it keeps with
// the credentials, then the common AWS ones. outputs.json lists the
// descriptor.
var configSchema = awsout.Schema(
	awsout.Descriptor("A short and unique descriptor for this SES Output."),
	[]schema.Property{
		{
			Name:        propFrom,
			Description: "The SES verified email address to send from.",
			Required:    true,
			Credential:  true,
			Example:     "alerts@example.com",
		},
		{
			Name:        propTo,
			Type:        schema.StringList,
			Description: "The recipient email addresses, comma-separated (SES verified ones while the account is in the sandbox).",
			Required:    true,
			Credential:  true,
			Example:     "soc@example.com, oncall@example.com",
		},
	},
	awsout.CommonOptions{},
)
