package main

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/streamalert-go/sa/plugins/output/internal/awsout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// version is this plugin's release.
const version = "0.1.0"

// maxRecipients is SES's limit of recipients per message.
const maxRecipients = 50

// mailer is one configured instance.
type mailer struct {
	client *sesv2.Client
	from   *mail.Address
	to     []*mail.Address
}

// New returns the aws-ses output.
func New() *awsout.Output[*mailer] {
	return awsout.New(awsout.Service[*mailer]{
		Info:         saplugin.Info{Name: "aws-ses", Version: version, Description: "Email alerts through Amazon SES"},
		Schema:       configSchema,
		ResourceProp: propFrom,
		Check:        check,
		Build:        build,
		Deliver:      deliver,
	})
}

// check checks the addresses; the messages never quote them.
func check(cfg schema.Config) (string, []schema.Problem) {
	var problems []schema.Problem
	if _, err := mail.ParseAddress(cfg.String(propFrom)); err != nil {
		problems = append(problems, schema.Problem{Field: propFrom, Message: "is not an email address"})
	}
	to := cfg.Strings(propTo)
	switch {
	case len(to) == 0:
		problems = append(problems, schema.Problem{Field: propTo, Message: "required"})
	case len(to) > maxRecipients:
		problems = append(problems, schema.Problem{Field: propTo, Message: fmt.Sprintf("more than SES's %d recipients", maxRecipients)})
	}
	for i, a := range to {
		if _, err := mail.ParseAddress(a); err != nil {
			problems = append(problems, schema.Problem{Field: propTo, Message: fmt.Sprintf("address %d is not an email address", i+1)})
			break
		}
	}
	return "", problems
}

func build(cfg aws.Config, c schema.Config) (*mailer, error) {
	from, err := mail.ParseAddress(c.String(propFrom))
	if err != nil {
		return nil, fmt.Errorf("%s is not an email address", propFrom)
	}
	m := &mailer{client: sesv2.NewFromConfig(cfg), from: from}
	for _, a := range c.Strings(propTo) {
		to, err := mail.ParseAddress(a)
		if err != nil {
			return nil, fmt.Errorf("%s holds an invalid address", propTo)
		}
		m.to = append(m.to, to)
	}
	return m, nil
}

// deliver sends the email: as SES's simple content when it has no
// attachment, else as a raw MIME message.
func deliver(ctx context.Context, m *mailer, in awsout.Input) (string, error) {
	e, err := compose(in)
	if err != nil {
		return "", awsout.Permanentf("%s", err.Error())
	}
	input := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(addressText(m.from)),
		Destination:      &types.Destination{ToAddresses: addresses(m.to)},
	}
	if e.simple() {
		input.Content = &types.EmailContent{Simple: simple(e)}
	} else {
		raw, err := e.mime(m.from, m.to)
		if err != nil {
			return "", awsout.Permanentf("build the message: %s", err.Error())
		}
		if err := awsout.CheckSize("message", len(raw), awsout.SESMessageLimit, "SES"); err != nil {
			return "", err
		}
		input.Content = &types.EmailContent{Raw: &types.RawMessage{Data: raw}}
	}
	out, err := m.client.SendEmail(ctx, input)
	if err != nil {
		return "", err
	}
	return "message " + aws.ToString(out.MessageId), nil
}

// simple is the email as SES's simple content.
func simple(e *email) *types.Message {
	msg := &types.Message{Subject: content(e.subject), Body: &types.Body{}}
	for _, p := range e.body {
		switch p.subtype {
		case "plain":
			msg.Body.Text = content(p.text)
		case "html":
			msg.Body.Html = content(p.text)
		}
	}
	return msg
}

func content(s string) *types.Content {
	return &types.Content{Data: aws.String(s), Charset: aws.String("UTF-8")}
}

// addresses are the bare addresses, as SES's destination takes them.
func addresses(list []*mail.Address) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Address
	}
	return out
}

// joinAddresses renders a header's address list.
func joinAddresses(list []*mail.Address) string {
	s := make([]string, len(list))
	for i, a := range list {
		s[i] = addressText(a)
	}
	return strings.Join(s, ", ")
}

// addressText renders an address: bare without a display name, else the
// name (encoded when it is not ASCII) and the address in angle brackets.
func addressText(a *mail.Address) string {
	if a.Name == "" {
		return a.Address
	}
	return a.String()
}
