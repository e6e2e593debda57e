package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release.
const version = "0.1.0"

// logStream is one configured instance.
type logStream struct {
	client        *cloudwatchlogs.Client
	group, stream string
	now           func() time.Time
}

// New returns the aws-cloudwatch-log output.
func New() *awsout.Output[*logStream] {
	return awsout.New(awsout.Service[*logStream]{
		Info: saplugin.Info{Name: "aws-cloudwatch-log", Version: version,
			Description: "Write alerts to a CloudWatch Logs log stream"},
		Schema:       configSchema,
		ResourceProp: propLogGroup,
		Check:        func(schema.Config) (string, []schema.Problem) { return "", nil },
		Build: func(cfg aws.Config, c schema.Config) (*logStream, error) {
			return &logStream{client: cloudwatchlogs.NewFromConfig(cfg), group: c.String(propLogGroup),
				stream: c.String(propLogStream), now: time.Now}, nil
		},
		Deliver: deliver,
	})
}

// deliver writes the publication as one log event of compact JSON, which
// Logs Insights and subscription filters read field by field. A missing
// stream is created and the event written again; a missing group is not
// created, as sa should not need logs:CreateLogGroup.
func deliver(ctx context.Context, l *logStream, in awsout.Input) (string, error) {
	msg := string(in.PublicationJSON)
	if err := awsout.CheckSize("log event", len(msg), awsout.LogEventLimit, "CloudWatch Logs"); err != nil {
		return "", err
	}
	note, err := l.put(ctx, msg)
	var missing *types.ResourceNotFoundException
	if !errors.As(err, &missing) {
		return note, err
	}
	_, err = l.client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{
		LogGroupName: aws.String(l.group), LogStreamName: aws.String(l.stream)})
	var exists *types.ResourceAlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		return "", err
	}
	if note, err = l.put(ctx, msg); err != nil {
		return "", err
	}
	return "created the stream; " + note, nil
}

// put writes one event stamped now.
func (l *logStream) put(ctx context.Context, msg string) (string, error) {
	out, err := l.client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
		LogGroupName:  aws.String(l.group),
		LogStreamName: aws.String(l.stream),
		LogEvents:     []types.InputLogEvent{{Message: aws.String(msg), Timestamp: aws.Int64(l.now().UnixMilli())}},
	})
	var accepted *types.DataAlreadyAcceptedException
	switch {
	case errors.As(err, &accepted):
		// A resend of a batch the service already has: it is delivered.
		return "event already accepted", nil
	case err != nil:
		return "", err
	}
	if r := out.RejectedLogEventsInfo; r != nil {
		return "", awsout.Permanentf("CloudWatch Logs rejected the event (%s)", rejection(r))
	}
	return fmt.Sprintf("event written to %s/%s", l.group, l.stream), nil
}

// rejection says why an event was refused.
func rejection(r *types.RejectedLogEventsInfo) string {
	switch {
	case r.TooNewLogEventStartIndex != nil:
		return "timestamp more than 2 hours ahead; check the clock"
	case r.TooOldLogEventEndIndex != nil:
		return "timestamp older than 14 days; check the clock"
	case r.ExpiredLogEventEndIndex != nil:
		return "older than the group's retention"
	}
	return "no reason given"
}
