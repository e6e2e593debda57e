package main

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release.
const version = "0.1.0"

// messageField overrides the message, as in StreamAlert.
const messageField = "@aws-sqs.message_data"

// queueNameRE is SQS's rule for queue names.
var queueNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$|^[A-Za-z0-9_-]{1,75}\.fifo$`)

// queue is one configured instance: its client and queue, whose URL is
// looked up once and kept until SQS says the queue is gone.
type queue struct {
	client *sqs.Client
	name   string // "" when configured by URL
	fifo   bool

	mu  sync.Mutex
	url string
}

// New returns the aws-sqs output.
func New() *awsout.Output[*queue] {
	return awsout.New(awsout.Service[*queue]{
		Info:         saplugin.Info{Name: "aws-sqs", Version: version, Description: "Send alerts to an Amazon SQS queue"},
		Schema:       configSchema,
		ResourceProp: awsout.PropResource,
		Check:        check,
		Build:        build,
		Deliver:      deliver,
	})
}

// check checks aws_value: a queue name or an https queue URL.
func check(cfg schema.Config) (string, []schema.Problem) {
	if _, _, ok := parseQueue(cfg.String(awsout.PropResource)); !ok {
		return "", []schema.Problem{{Field: awsout.PropResource,
			Message: "must be a queue name (letters, digits, - and _, up to 80, .fifo for FIFO queues) or an https queue URL"}}
	}
	return "", nil
}

// parseQueue returns the queue name or URL of aws_value.
func parseQueue(v string) (name, queueURL string, ok bool) {
	if queueNameRE.MatchString(v) {
		return v, "", true
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.User != nil {
		return "", "", false
	}
	if !queueNameRE.MatchString(u.Path[strings.LastIndexByte(u.Path, '/')+1:]) {
		return "", "", false
	}
	return "", v, true
}

func build(cfg aws.Config, c schema.Config) (*queue, error) {
	name, queueURL, _ := parseQueue(c.String(awsout.PropResource))
	return &queue{client: sqs.NewFromConfig(cfg), name: name, url: queueURL,
		fifo: strings.HasSuffix(c.String(awsout.PropResource), ".fifo")}, nil
}

// deliver sends the message: @aws-sqs.message_data, by default the
// alert's record, as compact JSON.
func deliver(ctx context.Context, q *queue, in awsout.Input) (string, error) {
	body := in.FieldOr(messageField, in.Record())
	if err := awsout.CheckSize("message", len(body), awsout.SQSMessageLimit, "SQS"); err != nil {
		return "", err
	}
	queueURL, err := q.queueURL(ctx)
	if err != nil {
		return "", err
	}
	msg := &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(string(body))}
	if q.fifo {
		// One group per rule keeps a rule's alerts in order; the alert id
		// makes SQS drop a resend within its five-minute window.
		msg.MessageGroupId = aws.String(in.Alert.RuleName)
		msg.MessageDeduplicationId = aws.String(in.Alert.ID)
	}
	out, err := q.client.SendMessage(ctx, msg)
	if err != nil {
		if gone(err) {
			q.forget(queueURL)
		}
		return "", err
	}
	return "message " + aws.ToString(out.MessageId), nil
}

// queueURL returns the queue's URL, asking SQS for it the first time.
func (q *queue) queueURL(ctx context.Context) (string, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.url != "" {
		return q.url, nil
	}
	out, err := q.client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(q.name)})
	if err != nil {
		return "", err
	}
	q.url = aws.ToString(out.QueueUrl)
	return q.url, nil
}

// forget drops a looked-up URL of a queue that is gone, so a queue
// created again under the name is found.
func (q *queue) forget(queueURL string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.name != "" && q.url == queueURL {
		q.url = ""
	}
}

// gone reports whether err says the queue does not exist.
func gone(err error) bool {
	var missing *types.QueueDoesNotExist
	var api smithy.APIError
	return errors.As(err, &missing) || errors.As(err, &api) && strings.HasSuffix(api.ErrorCode(), "NonExistentQueue")
}
