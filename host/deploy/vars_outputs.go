package deploy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// OutputStatement is an IAM statement of the processor's role, as infra/'s
// output_statements variable takes it.
type OutputStatement struct {
	Sid       string   `json:"sid"`
	Actions   []string `json:"actions"`
	Resources []string `json:"resources"`
}

// Properties the AWS outputs share (plugins/output/internal/awsout).
const (
	propResource   = "aws_value"
	propRegion     = "region"
	propAssumeRole = "assume_role_arn"
	propAccessKey  = "aws_access_key_id"
)

// outputServices are the built-in AWS outputs and the grants of each. An
// output of any other service is left to processor_statements.
var outputServices = map[string]func(*outputProps) []grant{
	"aws-cloudwatch-log": logsGrants,
	"aws-firehose":       firehoseGrants,
	"aws-lambda":         lambdaGrants,
	"aws-lambda-v2":      lambdaV2Grants,
	"aws-s3":             s3Grants,
	"aws-ses":            sesGrants,
	"aws-sns":            snsGrants,
	"aws-sqs":            sqsGrants,
}

// grant is what one output needs: actions, sorted, on resources.
type grant struct {
	output    string
	actions   []string
	resources []string
}

// addOutputs sets OutputStatements from sa.yaml's outputs, nil when none
// needs the processor's role. The AWS output plugins call AWS with that
// role unless told otherwise, so it is granted what each output of a
// built-in AWS service calls, on exactly its destination. Which
// credentials an output uses is decided from its sa.yaml properties alone,
// since the secret store cannot be read at deploy time:
//
//   - aws_access_key_id present: the plugin makes every call, STS
//     included, with its own keys, so the role needs nothing and the
//     output is not checked further (its keys may be of another
//     partition).
//   - assume_role_arn present: the role needs only sts:AssumeRole on that
//     role, which must be of the deployment's partition; the destination
//     is still checked.
//   - otherwise: the service's actions on the destination, in the region
//     the output names and, unless its destination names another, the
//     deployment's account.
//
// Keys or a role kept only in the secret store (where `sa output` puts
// aws_access_key_id, and aws-lambda-v2's assume_role_arn) are not seen:
// such an output is granted its destination, which it does not use, and a
// hidden role is not granted (let its trust policy name the processor's
// role, which suffices within one account, or grant it in
// processor_statements). Destinations kept only in the secret store
// (aws-lambda-v2's lambda_function_arn, aws-ses's from_email, which
// StreamAlert keeps with the credentials) cannot be granted: put them in
// sa.yaml or grant them in processor_statements. Nor can customer-managed
// KMS keys encrypting a destination (an SSE-KMS bucket, queue or topic).
//
// Statements of the same actions are merged. A statement of one output is
// named Output<Service><Descriptor>, with its actions appended when the
// output has several statements; a merged one Outputs<Actions>. Names that
// collide after dropping all but letters and digits get a number.
//
// Resources hold no wildcard except three documented patterns: an S3
// bucket's objects (<bucket>/*), a Lambda function's versions and aliases
// (<function>:*, only when a qualifier is used) and a log group's ARN as
// CloudWatch Logs authorizes CreateLogStream on it (log-group:<name>:*).
func (v *Vars) addOutputs(outputs map[string]map[string]any) []error {
	var grants []grant
	var errs []error
	for _, name := range sortedOutputs(outputs) {
		service, _, _ := strings.Cut(name, ":")
		o := &outputProps{name: name, props: outputs[name], partition: partitionOf(v.Region), account: v.AccountID}
		grants = append(grants, o.grants(outputServices[service])...)
		errs = append(errs, o.errs...)
	}
	v.OutputStatements = mergeGrants(grants)
	return errs
}

func sortedOutputs(outputs map[string]map[string]any) []string {
	names := make([]string, 0, len(outputs))
	for name := range outputs {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// outputProps reads one output's sa.yaml properties, collecting problems.
type outputProps struct {
	name               string // "service:descriptor"
	props              map[string]any
	partition, account string // the deployment's
	errs               []error
}

// grants applies the rule addOutputs describes.
func (o *outputProps) grants(service func(*outputProps) []grant) []grant {
	if service == nil || o.str(propAccessKey) != "" {
		return nil
	}
	grants := service(o)
	if role := o.str(propAssumeRole); role != "" {
		if !o.isRoleARN(role) {
			o.fail(propAssumeRole, "is not an IAM role ARN (arn:"+o.partition+":iam::<account>:role/<name>) of the deployment's partition")
		}
		grants = []grant{o.grant([]string{"sts:AssumeRole"}, role)}
	}
	if len(o.errs) > 0 {
		return nil
	}
	return grants
}

func (o *outputProps) grant(actions []string, resources ...string) grant {
	return grant{output: o.name, actions: actions, resources: resources}
}

// str returns a string property, "" when absent; as the plugins' schemas,
// an empty value is absent and any other type is refused.
func (o *outputProps) str(prop string) string {
	switch v := o.props[prop].(type) {
	case nil:
		return ""
	case string:
		return v
	}
	o.fail(prop, "must be a string")
	return ""
}

// required returns a string property, failing when it is absent.
func (o *outputProps) required(prop string) string {
	raw, v := o.props[prop], o.str(prop)
	if raw == nil || raw == "" {
		o.fail(prop, "required")
	}
	return v
}

// fail records a problem of prop; it never quotes the value, which may be
// a credential put in sa.yaml.
func (o *outputProps) fail(prop, msg string) {
	o.errs = append(o.errs, fmt.Errorf("sa.yaml outputs[%q].%s: %s", o.name, prop, msg))
}

var (
	outputRegionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)
	outputAcctRE   = regexp.MustCompile(`^[0-9]{12}$`)
	roleARNRE      = regexp.MustCompile(`^arn:([a-z-]+):iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$`)
)

// region returns the region the output calls: the one an ARN of its
// destination names (arnRegion, "" when none), else its region property.
// It must be of the deployment's partition, whose role makes the call.
func (o *outputProps) region(arnRegion, resourceProp string) string {
	r := o.str(propRegion)
	switch {
	case r != "" && !outputRegionRE.MatchString(r):
		o.fail(propRegion, "is not an AWS region such as us-east-1")
		return ""
	case arnRegion != "" && r != "" && r != arnRegion:
		o.fail(propRegion, "is "+r+" but the ARN in "+resourceProp+" names "+arnRegion)
		return ""
	case arnRegion != "":
		r = arnRegion
	case r == "":
		o.fail(propRegion, "required: the region of "+resourceProp)
		return ""
	}
	if p := partitionOf(r); p != o.partition {
		o.fail(propRegion, "is in partition "+p+", but the deployment's role is in "+o.partition)
		return ""
	}
	return r
}

// arnOf returns the ARN of a resource of the deployment's partition.
func (o *outputProps) arnOf(service, region, account, resource string) string {
	return "arn:" + o.partition + ":" + service + ":" + region + ":" + account + ":" + resource
}

// isRoleARN reports whether s is an IAM role ARN of the deployment's
// partition.
func (o *outputProps) isRoleARN(s string) bool {
	m := roleARNRE.FindStringSubmatch(s)
	return m != nil && m[1] == o.partition
}

// literal fails when s, which becomes part of a resource, holds what IAM
// reads as a wildcard or a policy variable, or Terraform as a template.
func (o *outputProps) literal(prop, s string) bool {
	for _, bad := range []string{"*", "?", "${", "&{", "%{"} {
		if strings.Contains(s, bad) {
			o.fail(prop, "contains "+bad+", which IAM or Terraform would not read literally in a resource; grant it in processor_statements")
			return false
		}
	}
	return true
}

// partitionOf returns the ARN partition of a region.
func partitionOf(region string) string {
	for _, p := range []struct{ prefix, partition string }{
		{"cn-", "aws-cn"}, {"us-gov-", "aws-us-gov"}, {"us-isob-", "aws-iso-b"},
		{"us-iso-", "aws-iso"}, {"eu-isoe-", "aws-iso-e"}, {"us-isof-", "aws-iso-f"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return "aws"
}

// mergeGrants makes one statement of the grants of each action set, named
// and sorted as addOutputs describes; nil for no grants.
func mergeGrants(grants []grant) []OutputStatement {
	type group struct {
		stmt    OutputStatement
		outputs []string
	}
	groups, perOutput := map[string]*group{}, map[string]int{}
	var out []OutputStatement
	var keys []string
	for _, g := range grants {
		perOutput[g.output]++
		key := strings.Join(g.actions, " ")
		gr, ok := groups[key]
		if !ok {
			gr = &group{stmt: OutputStatement{Actions: g.actions}}
			groups[key], keys = gr, append(keys, key)
		}
		gr.stmt.Resources = append(gr.stmt.Resources, g.resources...)
		if !slices.Contains(gr.outputs, g.output) {
			gr.outputs = append(gr.outputs, g.output)
		}
	}
	for _, key := range keys {
		gr := groups[key]
		slices.Sort(gr.stmt.Resources)
		gr.stmt.Resources = slices.Compact(gr.stmt.Resources)
		gr.stmt.Sid = groupSid(gr.outputs, gr.stmt.Actions, perOutput)
		out = append(out, gr.stmt)
	}
	return uniqueSids(out)
}

// groupSid names the statement of outputs' grants of actions.
func groupSid(outputs, actions []string, perOutput map[string]int) string {
	if len(outputs) > 1 {
		return "Outputs" + actionsName(actions)
	}
	service, descriptor, _ := strings.Cut(outputs[0], ":")
	sid := "Output" + camel(service) + camel(descriptor)
	if perOutput[outputs[0]] > 1 {
		sid += actionsName(actions)
	}
	return sid
}

// uniqueSids numbers the statements whose names collide, in a stable
// order, and sorts them by name.
func uniqueSids(stmts []OutputStatement) []OutputStatement {
	byName := func(a, b OutputStatement) int {
		if c := strings.Compare(a.Sid, b.Sid); c != 0 {
			return c
		}
		return slices.Compare(a.Actions, b.Actions)
	}
	slices.SortFunc(stmts, byName)
	seen := map[string]bool{}
	for i, s := range stmts {
		sid := s.Sid
		for n := 2; seen[sid]; n++ {
			sid = fmt.Sprintf("%s%d", s.Sid, n)
		}
		seen[sid], stmts[i].Sid = true, sid
	}
	slices.SortFunc(stmts, byName)
	return stmts
}

// actionsName is "sqs:GetQueueUrl sqs:SendMessage" as SqsGetQueueUrlSendMessage.
func actionsName(actions []string) string {
	var b strings.Builder
	prev := ""
	for _, a := range actions {
		service, op, _ := strings.Cut(a, ":")
		if service != prev {
			b.WriteString(camel(service))
			prev = service
		}
		b.WriteString(camel(op))
	}
	return b.String()
}

// camel keeps the ASCII letters and digits of s, each run starting with
// a capital: aws-cloudwatch-log is AwsCloudwatchLog.
func camel(s string) string {
	var b strings.Builder
	start := true
	for _, r := range s {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		switch {
		case !alnum:
			start = true
		case start && r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
			start = false
		default:
			b.WriteRune(r)
			start = false
		}
	}
	return b.String()
}
