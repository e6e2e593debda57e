package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release.
const version = "0.1.0"

// configSchema is StreamAlert's aws-firehose properties, then the common
// AWS ones. outputs.json maps the descriptor to aws_value.
var configSchema = awsout.Schema(
	awsout.Descriptor("A short and unique descriptor for this Firehose Delivery Stream."),
	[]schema.Property{{
		Name:           awsout.PropResource,
		Description:    "The Firehose Delivery Stream name.",
		Required:       true,
		ForbiddenChars: " ",
		Pattern:        `[a-zA-Z0-9_.-]{1,64}`,
		Example:        "sa_streamalert_alert_delivery",
	}},
	awsout.CommonOptions{},
)

// stream is one configured instance.
type stream struct {
	client *firehose.Client
	name   string
}

// New returns the aws-firehose output.
func New() *awsout.Output[*stream] {
	return awsout.New(awsout.Service[*stream]{
		Info: saplugin.Info{Name: "aws-firehose", Version: version,
			Description: "Put alerts on an Amazon Data Firehose delivery stream"},
		Schema:       configSchema,
		ResourceProp: awsout.PropResource,
		Check:        func(schema.Config) (string, []schema.Problem) { return "", nil },
		Build: func(cfg aws.Config, c schema.Config) (*stream, error) {
			return &stream{client: firehose.NewFromConfig(cfg), name: c.String(awsout.PropResource)}, nil
		},
		Deliver: deliver,
	})
}

// deliver puts the publication as one line of compact JSON, the record
// format Athena reads from the stream's S3 destination.
func deliver(ctx context.Context, s *stream, in awsout.Input) (string, error) {
	data := append(append([]byte(nil), in.PublicationJSON...), '\n')
	if err := awsout.CheckSize("record", len(data), awsout.FirehoseRecordLimit, "Firehose"); err != nil {
		return "", err
	}
	out, err := s.client.PutRecord(ctx, &firehose.PutRecordInput{
		DeliveryStreamName: aws.String(s.name),
		Record:             &types.Record{Data: data},
	})
	if err != nil {
		return "", err
	}
	return "record " + aws.ToString(out.RecordId), nil
}
