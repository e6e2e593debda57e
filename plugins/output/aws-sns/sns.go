package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release.
const version = "0.1.0"

// Publication fields, as in StreamAlert: @aws-sns.topic is the subject.
const (
	subjectField = "@aws-sns.topic"
	messageField = "@aws-sns.message"
)

// maxSubject is SNS's subject limit: "less than 100 characters".
const maxSubject = 99

// topicNameRE is SNS's rule for topic names.
var topicNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$|^[A-Za-z0-9_-]{1,251}\.fifo$`)

// topic is one configured instance. A topic named without account gets
// its ARN once, from the caller's identity.
type topic struct {
	client *sns.Client
	sts    *sts.Client
	name   string
	region string
	fifo   bool

	mu  sync.Mutex
	arn string
}

// New returns the aws-sns output.
func New() *awsout.Output[*topic] {
	return awsout.New(awsout.Service[*topic]{
		Info:         saplugin.Info{Name: "aws-sns", Version: version, Description: "Publish alerts to an Amazon SNS topic"},
		Schema:       configSchema,
		ResourceProp: awsout.PropResource,
		Check:        check,
		Build:        build,
		Deliver:      deliver,
	})
}

// check checks aws_value and returns the region of a topic ARN.
func check(cfg schema.Config) (string, []schema.Problem) {
	v := cfg.String(awsout.PropResource)
	if topicNameRE.MatchString(v) {
		return "", nil
	}
	a, err := arn.Parse(v)
	if err != nil || a.Service != "sns" || !awsout.IsRegion(a.Region) || !awsout.IsAccount(a.AccountID) || !topicNameRE.MatchString(a.Resource) {
		return "", []schema.Problem{{Field: awsout.PropResource,
			Message: "must be a topic name (letters, digits, - and _, .fifo for FIFO topics) or a topic ARN (arn:aws:sns:<region>:<account>:<name>)"}}
	}
	if cfg.String(propAccount) != "" && cfg.String(propAccount) != a.AccountID {
		return a.Region, []schema.Problem{{Field: propAccount, Message: "differs from the account of the topic ARN in aws_value"}}
	}
	return a.Region, nil
}

func build(cfg aws.Config, c schema.Config) (*topic, error) {
	v := c.String(awsout.PropResource)
	t := &topic{client: sns.NewFromConfig(cfg), name: v, region: cfg.Region, fifo: strings.HasSuffix(v, ".fifo")}
	switch {
	case strings.HasPrefix(v, "arn:"):
		t.arn = v
	case c.String(propAccount) != "":
		t.arn = topicARN(awsout.Partition(cfg.Region), cfg.Region, c.String(propAccount), v)
	default:
		t.sts = awsout.STSClient(cfg, awsout.STSEndpoint(c))
	}
	return t, nil
}

func topicARN(partition, region, account, name string) string {
	return arn.ARN{Partition: partition, Service: "sns", Region: region, AccountID: account, Resource: name}.String()
}

// deliver publishes @aws-sns.message (by default the publication as
// indented JSON with sorted keys) with @aws-sns.topic as the subject (by
// default "<rule> triggered alert <id>"), made fit for SNS.
func deliver(ctx context.Context, t *topic, in awsout.Input) (string, error) {
	msg, err := message(in)
	if err != nil {
		return "", awsout.Permanentf("%s", err.Error())
	}
	if err := awsout.CheckSize("message", len(msg), awsout.SNSMessageLimit, "SNS"); err != nil {
		return "", err
	}
	topicARN, err := t.topicARN(ctx)
	if err != nil {
		return "", err
	}
	pub := &sns.PublishInput{TopicArn: aws.String(topicARN), Message: aws.String(msg)}
	if s := subject(in.String(subjectField, fmt.Sprintf("%s triggered alert %s", in.Alert.RuleName, in.Alert.ID))); s != "" {
		pub.Subject = aws.String(s)
	}
	if t.fifo {
		pub.MessageGroupId = aws.String(in.Alert.RuleName)
		pub.MessageDeduplicationId = aws.String(in.Alert.ID)
	}
	out, err := t.client.Publish(ctx, pub)
	if err != nil {
		return "", err
	}
	return "message " + aws.ToString(out.MessageId), nil
}

// message is @aws-sns.message as text, or the publication rendered.
func message(in awsout.Input) (string, error) {
	if v, ok := in.Field(messageField); ok {
		return in.String(messageField, string(v)), nil
	}
	return awsout.Pretty(in.PublicationJSON)
}

// subject makes text a valid SNS subject: control characters (line
// breaks) become spaces, and the middle of a long text is elided, as
// StreamAlert elides it, to fewer than 100 characters.
func subject(text string) string {
	text = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, text)
	return strings.TrimSpace(awsout.ElideMiddle(strings.TrimSpace(text), maxSubject))
}

// topicARN returns the topic's ARN, completing a bare name with the
// account of the caller's identity the first time.
func (t *topic) topicARN(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.arn != "" {
		return t.arn, nil
	}
	out, err := t.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", err
	}
	partition := awsout.Partition(t.region)
	if a, err := arn.Parse(aws.ToString(out.Arn)); err == nil {
		partition = a.Partition
	}
	t.arn = topicARN(partition, t.region, aws.ToString(out.Account), t.name)
	return t.arn, nil
}
