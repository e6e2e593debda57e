package deploy

import (
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// The deployment the table tests derive for, and another account.
const (
	deployAccount = "123456789012"
	otherAccount  = "210987654321"
	roleARN       = "arn:aws:iam::" + otherAccount + ":role/sa-delivery"
)

// deriveOutputs runs addOutputs for a deployment in region.
func deriveOutputs(region string, outputs map[string]map[string]any) ([]OutputStatement, error) {
	v := &Vars{Region: region, AccountID: deployAccount}
	errs := v.addOutputs(outputs)
	return v.OutputStatements, errors.Join(errs...)
}

func stmt(sid string, actions []string, resources ...string) OutputStatement {
	return OutputStatement{Sid: sid, Actions: actions, Resources: resources}
}

var (
	putObject  = []string{"s3:PutObject"}
	sqsByName  = []string{"sqs:GetQueueUrl", "sqs:SendMessage"}
	sqsByURL   = []string{"sqs:SendMessage"}
	publish    = []string{"sns:Publish"}
	invoke     = []string{"lambda:InvokeFunction"}
	assumeRole = []string{"sts:AssumeRole"}
)

func TestOutputStatements(t *testing.T) {
	fn := "arn:aws:lambda:eu-west-1:" + deployAccount + ":function:handler"
	otherFn := "arn:aws:lambda:us-east-1:" + otherAccount + ":function:handler"
	group := "arn:aws:logs:eu-west-1:" + deployAccount + ":log-group:/sa/alerts"
	tests := []struct {
		name    string
		region  string // the deployment's; eu-west-1 when ""
		outputs map[string]map[string]any
		want    []OutputStatement
	}{
		{"s3 bucket", "", map[string]map[string]any{
			"aws-s3:alerts": {"aws_value": "corp-alerts", "region": "eu-west-1", "force_path_style": true},
		}, []OutputStatement{stmt("OutputAwsS3Alerts", putObject, "arn:aws:s3:::corp-alerts/*")}},
		{"s3 bucket in China", "cn-north-1", map[string]map[string]any{
			"aws-s3:alerts": {"aws_value": "corp-alerts", "region": "cn-northwest-1"},
		}, []OutputStatement{stmt("OutputAwsS3Alerts", putObject, "arn:aws-cn:s3:::corp-alerts/*")}},
		{"sqs queue name", "", map[string]map[string]any{
			"aws-sqs:triage": {"aws_value": "sa-alerts", "region": "eu-west-1"},
		}, []OutputStatement{stmt("OutputAwsSqsTriage", sqsByName, "arn:aws:sqs:eu-west-1:"+deployAccount+":sa-alerts")}},
		{"sqs fifo queue name", "", map[string]map[string]any{
			"aws-sqs:triage": {"aws_value": "sa-alerts.fifo", "region": "us-east-1"},
		}, []OutputStatement{stmt("OutputAwsSqsTriage", sqsByName, "arn:aws:sqs:us-east-1:"+deployAccount+":sa-alerts.fifo")}},
		{"sqs queue url of another account", "", map[string]map[string]any{
			"aws-sqs:triage": {"aws_value": "https://sqs.us-east-1.amazonaws.com/" + otherAccount + "/sa-alerts", "region": "us-east-1"},
		}, []OutputStatement{stmt("OutputAwsSqsTriage", sqsByURL, "arn:aws:sqs:us-east-1:"+otherAccount+":sa-alerts")}},
		{"sqs queue url of a VPC endpoint", "", map[string]map[string]any{
			"aws-sqs:triage": {"aws_value": "https://vpce-0123456789abcdef0-abcdefgh.sqs.us-east-1.vpce.amazonaws.com/" + otherAccount + "/q", "region": "us-east-1"},
		}, []OutputStatement{stmt("OutputAwsSqsTriage", sqsByURL, "arn:aws:sqs:us-east-1:"+otherAccount+":q")}},
		{"sns topic name", "", map[string]map[string]any{
			"aws-sns:soc": {"aws_value": "sa-alerts", "region": "eu-west-1"},
		}, []OutputStatement{stmt("OutputAwsSnsSoc", publish, "arn:aws:sns:eu-west-1:"+deployAccount+":sa-alerts")}},
		{"sns topic name of account_id", "", map[string]map[string]any{
			"aws-sns:soc": {"aws_value": "sa-alerts", "region": "eu-west-1", "account_id": otherAccount},
		}, []OutputStatement{stmt("OutputAwsSnsSoc", publish, "arn:aws:sns:eu-west-1:"+otherAccount+":sa-alerts")}},
		{"sns topic arn, no region", "", map[string]map[string]any{
			"aws-sns:soc": {"aws_value": "arn:aws:sns:us-west-2:" + otherAccount + ":sa-alerts.fifo"},
		}, []OutputStatement{stmt("OutputAwsSnsSoc", publish, "arn:aws:sns:us-west-2:"+otherAccount+":sa-alerts.fifo")}},
		{"firehose stream", "", map[string]map[string]any{
			"aws-firehose:alerts": {"aws_value": "acme_streamalert_alert_delivery", "region": "eu-west-1"},
		}, []OutputStatement{stmt("OutputAwsFirehoseAlerts", []string{"firehose:PutRecord"},
			"arn:aws:firehose:eu-west-1:"+deployAccount+":deliverystream/acme_streamalert_alert_delivery")}},
		{"lambda name", "", map[string]map[string]any{
			"aws-lambda:fn": {"aws_value": "handler", "region": "eu-west-1"},
		}, []OutputStatement{stmt("OutputAwsLambdaFn", invoke, fn)}},
		{"lambda name and alias", "", map[string]map[string]any{
			"aws-lambda:fn": {"aws_value": "handler:production", "region": "eu-west-1"},
		}, []OutputStatement{stmt("OutputAwsLambdaFn", invoke, fn, fn+":*")}},
		{"lambda partial arn", "", map[string]map[string]any{
			"aws-lambda:fn": {"aws_value": otherAccount + ":function:handler", "region": "us-east-1"},
		}, []OutputStatement{stmt("OutputAwsLambdaFn", invoke, otherFn)}},
		{"lambda arn and version", "", map[string]map[string]any{
			"aws-lambda:fn": {"aws_value": otherFn + ":3"},
		}, []OutputStatement{stmt("OutputAwsLambdaFn", invoke, otherFn, otherFn+":*")}},
		{"lambda $LATEST", "", map[string]map[string]any{
			"aws-lambda:fn": {"aws_value": "handler:$LATEST", "region": "eu-west-1"},
		}, []OutputStatement{stmt("OutputAwsLambdaFn", invoke, fn, fn+":*")}},
		{"lambda-v2 arn in sa.yaml", "", map[string]map[string]any{
			"aws-lambda-v2:fn": {"lambda_function_arn": otherFn},
		}, []OutputStatement{stmt("OutputAwsLambdaV2Fn", invoke, otherFn)}},
		{"lambda-v2 arn and qualifier in sa.yaml", "", map[string]map[string]any{
			"aws-lambda-v2:fn": {"lambda_function_arn": otherFn, "function_qualifier": "live"},
		}, []OutputStatement{stmt("OutputAwsLambdaV2Fn", invoke, otherFn, otherFn+":*")}},
		{"lambda-v2 kept in the secret store", "", map[string]map[string]any{
			"aws-lambda-v2:fn": {"region": "eu-west-1"},
		}, nil},
		{"cloudwatch log group, default stream", "", map[string]map[string]any{
			"aws-cloudwatch-log:audit": {"log_group": "/sa/alerts", "region": "eu-west-1"},
		}, []OutputStatement{
			stmt("OutputAwsCloudwatchLogAuditLogsCreateLogStream", []string{"logs:CreateLogStream"}, group+":*"),
			stmt("OutputAwsCloudwatchLogAuditLogsPutLogEvents", []string{"logs:PutLogEvents"}, group+":log-stream:sa-alerts"),
		}},
		{"cloudwatch log group and stream", "", map[string]map[string]any{
			"aws-cloudwatch-log:audit": {"log_group": "/sa/alerts", "log_stream": "prod/alerts", "region": "eu-west-1"},
		}, []OutputStatement{
			stmt("OutputAwsCloudwatchLogAuditLogsCreateLogStream", []string{"logs:CreateLogStream"}, group+":*"),
			stmt("OutputAwsCloudwatchLogAuditLogsPutLogEvents", []string{"logs:PutLogEvents"}, group+":log-stream:prod/alerts"),
		}},
		{"ses from address with a name", "", map[string]map[string]any{
			"aws-ses:mail": {"from_email": "SA Alerts <alerts@example.com>", "to_emails": []any{"soc@example.com"}, "region": "us-east-1"},
		}, []OutputStatement{stmt("OutputAwsSesMail", []string{"ses:SendEmail", "ses:SendRawEmail"},
			"arn:aws:ses:us-east-1:"+deployAccount+":identity/alerts@example.com",
			"arn:aws:ses:us-east-1:"+deployAccount+":identity/example.com")}},
		{"ses from address kept in the secret store", "", map[string]map[string]any{
			"aws-ses:mail": {"region": "us-east-1"},
		}, nil},
		{"assumed role", "", map[string]map[string]any{
			"aws-sns:partner": {"aws_value": "sa-alerts", "region": "eu-west-1", "assume_role_arn": roleARN},
		}, []OutputStatement{stmt("OutputAwsSnsPartner", assumeRole, roleARN)}},
		{"lambda-v2 role in sa.yaml", "", map[string]map[string]any{
			"aws-lambda-v2:fn": {"lambda_function_arn": otherFn, "assume_role_arn": roleARN},
		}, []OutputStatement{stmt("OutputAwsLambdaV2Fn", assumeRole, roleARN)}},
		{"own keys, even of another partition", "", map[string]map[string]any{
			"aws-s3:alerts":  {"aws_value": "corp-alerts", "region": "cn-north-1", "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE"},
			"aws-sqs:triage": {"aws_value": "q", "region": "eu-west-1", "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "assume_role_arn": roleARN},
		}, nil},
		{"other services", "", map[string]map[string]any{
			"slack:soc": {}, "webhook:siem": {"url": "https://siem.example.com"}, "aws-custom:x": {"aws_value": "*"},
		}, nil},
		{"merged by action set", "", map[string]map[string]any{
			"aws-s3:a":       {"aws_value": "bucket-a", "region": "eu-west-1"},
			"aws-s3:b":       {"aws_value": "bucket-b", "region": "eu-west-1"},
			"aws-sns:x":      {"aws_value": "t", "region": "eu-west-1", "assume_role_arn": roleARN},
			"aws-lambda:y":   {"aws_value": "handler", "region": "eu-west-1", "assume_role_arn": "arn:aws:iam::" + deployAccount + ":role/path/r"},
			"aws-sqs:triage": {"aws_value": "q", "region": "eu-west-1"},
		}, []OutputStatement{
			stmt("OutputAwsSqsTriage", sqsByName, "arn:aws:sqs:eu-west-1:"+deployAccount+":q"),
			stmt("OutputsS3PutObject", putObject, "arn:aws:s3:::bucket-a/*", "arn:aws:s3:::bucket-b/*"),
			stmt("OutputsStsAssumeRole", assumeRole, "arn:aws:iam::"+deployAccount+":role/path/r", roleARN),
		}},
		{"one destination of two outputs", "", map[string]map[string]any{
			"aws-sqs:a": {"aws_value": "q", "region": "eu-west-1"},
			"aws-sqs:b": {"aws_value": "q", "region": "eu-west-1"},
		}, []OutputStatement{stmt("OutputsSqsGetQueueUrlSendMessage", sqsByName, "arn:aws:sqs:eu-west-1:"+deployAccount+":q")}},
		{"names that collide once sanitized", "", map[string]map[string]any{
			"aws-sqs:a-b": {"aws_value": "q", "region": "eu-west-1"},
			"aws-sqs:a_b": {"aws_value": "https://sqs.eu-west-1.amazonaws.com/" + otherAccount + "/q", "region": "eu-west-1"},
		}, []OutputStatement{
			stmt("OutputAwsSqsAB", sqsByName, "arn:aws:sqs:eu-west-1:"+deployAccount+":q"),
			stmt("OutputAwsSqsAB2", sqsByURL, "arn:aws:sqs:eu-west-1:"+otherAccount+":q"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			region := tt.region
			if region == "" {
				region = "eu-west-1"
			}
			got, err := deriveOutputs(region, tt.outputs)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			for _, p := range statementProblems(got, partitionOf(region)) {
				t.Error(p)
			}
		})
	}
}

func TestOutputStatementErrors(t *testing.T) {
	fn := "arn:aws:lambda:us-east-1:" + otherAccount + ":function:handler"
	tests := []struct {
		name    string
		outputs map[string]map[string]any
		wants   []string
		hidden  string // a value the error must not quote
	}{
		{"not a bucket name", map[string]map[string]any{"aws-s3:x": {"aws_value": "Corp_Alerts", "region": "eu-west-1"}},
			[]string{`sa.yaml outputs["aws-s3:x"].aws_value`, "bucket name"}, ""},
		{"bucket name with two dots", map[string]map[string]any{"aws-s3:x": {"aws_value": "corp..alerts", "region": "eu-west-1"}},
			[]string{`sa.yaml outputs["aws-s3:x"].aws_value`}, ""},
		{"no bucket", map[string]map[string]any{"aws-s3:x": {"region": "eu-west-1"}},
			[]string{`sa.yaml outputs["aws-s3:x"].aws_value: required`}, ""},
		{"topic arn of another partition", map[string]map[string]any{"aws-sns:x": {"aws_value": "arn:aws-cn:sns:cn-north-1:" + otherAccount + ":t"}},
			[]string{`sa.yaml outputs["aws-sns:x"].aws_value`, "partition aws-cn"}, ""},
		{"topic arn of another service", map[string]map[string]any{"aws-sns:x": {"aws_value": "arn:aws:sqs:eu-west-1:" + otherAccount + ":t"}},
			[]string{`sa.yaml outputs["aws-sns:x"].aws_value`, "topic"}, ""},
		{"function arn of another partition", map[string]map[string]any{"aws-lambda:x": {"aws_value": "arn:aws-us-gov:lambda:us-gov-west-1:" + otherAccount + ":function:f"}},
			[]string{`sa.yaml outputs["aws-lambda:x"].aws_value`, "partition aws-us-gov"}, ""},
		{"not a function", map[string]map[string]any{"aws-lambda:x": {"aws_value": "a:b:c", "region": "eu-west-1"}},
			[]string{`sa.yaml outputs["aws-lambda:x"].aws_value`, "function name"}, ""},
		{"bad qualifier", map[string]map[string]any{"aws-lambda:x": {"aws_value": "f:not.ok", "region": "eu-west-1"}},
			[]string{`sa.yaml outputs["aws-lambda:x"].aws_value`}, ""},
		{"two qualifiers", map[string]map[string]any{"aws-lambda-v2:x": {"lambda_function_arn": fn + ":1", "function_qualifier": "live"}},
			[]string{`sa.yaml outputs["aws-lambda-v2:x"].function_qualifier`, "differs"}, ""},
		{"role of another partition", map[string]map[string]any{"aws-sqs:x": {"aws_value": "q", "region": "eu-west-1", "assume_role_arn": "arn:aws-cn:iam::" + otherAccount + ":role/r"}},
			[]string{`sa.yaml outputs["aws-sqs:x"].assume_role_arn`}, ""},
		{"not a role", map[string]map[string]any{"aws-sqs:x": {"aws_value": "q", "region": "eu-west-1", "assume_role_arn": "arn:aws:iam::" + otherAccount + ":user/u"}},
			[]string{`sa.yaml outputs["aws-sqs:x"].assume_role_arn`}, ""},
		{"destination still checked with a role", map[string]map[string]any{"aws-s3:x": {"aws_value": "Bad", "region": "eu-west-1", "assume_role_arn": roleARN}},
			[]string{`sa.yaml outputs["aws-s3:x"].aws_value`}, ""},
		{"region of another partition", map[string]map[string]any{"aws-firehose:x": {"aws_value": "s", "region": "cn-north-1"}},
			[]string{`sa.yaml outputs["aws-firehose:x"].region`, "aws-cn"}, ""},
		{"no region", map[string]map[string]any{"aws-sqs:x": {"aws_value": "q"}},
			[]string{`sa.yaml outputs["aws-sqs:x"].region: required`}, ""},
		{"not a region", map[string]map[string]any{"aws-sqs:x": {"aws_value": "q", "region": "Europe"}},
			[]string{`sa.yaml outputs["aws-sqs:x"].region`}, ""},
		{"region other than the arn's", map[string]map[string]any{"aws-sns:x": {"aws_value": "arn:aws:sns:us-west-2:" + otherAccount + ":t", "region": "eu-west-1"}},
			[]string{`sa.yaml outputs["aws-sns:x"].region`, "us-west-2"}, ""},
		{"queue url without account", map[string]map[string]any{"aws-sqs:x": {"aws_value": "https://sqs.us-east-1.amazonaws.com/sa-alerts", "region": "us-east-1"}},
			[]string{`sa.yaml outputs["aws-sqs:x"].aws_value`}, "https://sqs.us-east-1.amazonaws.com/sa-alerts"},
		{"http queue url", map[string]map[string]any{"aws-sqs:x": {"aws_value": "http://sqs.us-east-1.amazonaws.com/" + otherAccount + "/q", "region": "us-east-1"}},
			[]string{`sa.yaml outputs["aws-sqs:x"].aws_value`}, ""},
		{"queue url of another region", map[string]map[string]any{"aws-sqs:x": {"aws_value": "https://sqs.us-east-1.amazonaws.com/" + otherAccount + "/q", "region": "eu-west-1"}},
			[]string{`sa.yaml outputs["aws-sqs:x"].region`}, ""},
		{"account other than the arn's", map[string]map[string]any{"aws-sns:x": {"aws_value": "arn:aws:sns:eu-west-1:" + otherAccount + ":t", "account_id": deployAccount}},
			[]string{`sa.yaml outputs["aws-sns:x"].account_id`}, ""},
		{"number for a string", map[string]map[string]any{"aws-sns:x": {"aws_value": "t", "region": "eu-west-1", "account_id": 210987654321}},
			[]string{`sa.yaml outputs["aws-sns:x"].account_id: must be a string`}, ""},
		{"wildcard in a stream name", map[string]map[string]any{"aws-cloudwatch-log:x": {"log_group": "/g", "log_stream": "a?b", "region": "eu-west-1"}},
			[]string{`sa.yaml outputs["aws-cloudwatch-log:x"].log_stream`}, "a?b"},
		{"template in a stream name", map[string]map[string]any{"aws-cloudwatch-log:x": {"log_group": "/g", "log_stream": "a${b}", "region": "eu-west-1"}},
			[]string{`sa.yaml outputs["aws-cloudwatch-log:x"].log_stream`}, ""},
		{"not a log group", map[string]map[string]any{"aws-cloudwatch-log:x": {"log_group": "a:b", "region": "eu-west-1"}},
			[]string{`sa.yaml outputs["aws-cloudwatch-log:x"].log_group`}, ""},
		{"not an address", map[string]map[string]any{"aws-ses:x": {"from_email": "alerts at example", "region": "eu-west-1"}},
			[]string{`sa.yaml outputs["aws-ses:x"].from_email`}, "alerts at example"},
		{"every problem at once", map[string]map[string]any{
			"aws-s3:x":  {"aws_value": "Bad", "region": "eu-west-1"},
			"aws-sqs:y": {"aws_value": "q"},
			"aws-s3:ok": {"aws_value": "fine", "region": "eu-west-1"},
		}, []string{`outputs["aws-s3:x"].aws_value`, `outputs["aws-sqs:y"].region`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := deriveOutputs("eu-west-1", tt.outputs)
			if err == nil {
				t.Fatalf("no error; statements %+v", got)
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if tt.hidden != "" && strings.Contains(err.Error(), tt.hidden) {
				t.Errorf("error %q quotes the value", err)
			}
		})
	}
}

// The three wildcard patterns addOutputs documents, by action.
var allowedWildcards = map[string]*regexp.Regexp{
	"s3:PutObject":          regexp.MustCompile(`^arn:[a-z-]+:s3:::[a-z0-9.-]+/\*$`),
	"lambda:InvokeFunction": regexp.MustCompile(`^arn:[a-z-]+:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_.-]+:\*$`),
	"logs:CreateLogStream":  regexp.MustCompile(`^arn:[a-z-]+:logs:[a-z0-9-]+:[0-9]{12}:log-group:[^:*]+:\*$`),
}

var (
	sidRE    = regexp.MustCompile(`^Outputs?[A-Za-z0-9]+$`) // as infra/output_statements.tf validates
	actionRE = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z]+$`)
)

// statementProblems checks what any derived statements must be: named
// uniquely and sorted, explicit sorted actions, and ARNs of partition with
// no wildcard but the documented ones, nor anything IAM or Terraform would
// not read literally.
func statementProblems(stmts []OutputStatement, partition string) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if !slices.IsSortedFunc(stmts, func(a, b OutputStatement) int { return strings.Compare(a.Sid, b.Sid) }) {
		bad("statements not sorted by sid")
	}
	sids := map[string]bool{}
	for _, s := range stmts {
		if !sidRE.MatchString(s.Sid) || sids[s.Sid] {
			bad("sid %q: not unique or not Output<letters and digits>", s.Sid)
		}
		sids[s.Sid] = true
		if len(s.Actions) == 0 || !slices.IsSorted(s.Actions) || len(s.Resources) == 0 || !slices.IsSorted(s.Resources) {
			bad("%s: actions %q and resources %q must be given and sorted", s.Sid, s.Actions, s.Resources)
		}
		for _, a := range s.Actions {
			if !actionRE.MatchString(a) {
				bad("%s: action %q: name it", s.Sid, a)
			}
		}
		for _, r := range s.Resources {
			out = append(out, resourceProblems(s, r, partition)...)
		}
	}
	return out
}

func resourceProblems(s OutputStatement, r, partition string) []string {
	var out []string
	if !strings.HasPrefix(r, "arn:"+partition+":") {
		out = append(out, fmt.Sprintf("%s: resource %q is not an ARN of partition %s", s.Sid, r, partition))
	}
	for _, lit := range []string{"?", "${", "&{", "%{"} {
		if strings.Contains(r, lit) {
			out = append(out, fmt.Sprintf("%s: resource %q contains %s", s.Sid, r, lit))
		}
	}
	if strings.Contains(r, "*") {
		var re *regexp.Regexp
		if len(s.Actions) == 1 {
			re = allowedWildcards[s.Actions[0]]
		}
		if re == nil || !re.MatchString(r) {
			out = append(out, fmt.Sprintf("%s: resource %q has a wildcard that is not a documented pattern", s.Sid, r))
		}
	}
	return out
}

// TestStatementProblems makes sure the checker the tests above rely on
// finds what it is meant to.
func TestStatementProblems(t *testing.T) {
	good := stmt("OutputAwsS3A", putObject, "arn:aws:s3:::b/*")
	tests := []struct {
		name  string
		stmts []OutputStatement
		want  string
	}{
		{"any resource", []OutputStatement{stmt("OutputAwsSnsA", publish, "*")}, "not an ARN"},
		{"wildcard topic", []OutputStatement{stmt("OutputAwsSnsA", publish, "arn:aws:sns:eu-west-1:123456789012:*")}, "not a documented pattern"},
		{"wildcard in a bucket", []OutputStatement{stmt("OutputAwsS3A", putObject, "arn:aws:s3:::b*/*")}, "not a documented pattern"},
		{"wildcard function", []OutputStatement{stmt("OutputAwsLambdaA", invoke, "arn:aws:lambda:eu-west-1:123456789012:function:*")}, "not a documented pattern"},
		{"wildcard action", []OutputStatement{stmt("OutputAwsS3A", []string{"s3:*"}, "arn:aws:s3:::b/*")}, "name it"},
		{"another partition", []OutputStatement{stmt("OutputAwsS3A", putObject, "arn:aws-cn:s3:::b/*")}, "partition aws"},
		{"question mark", []OutputStatement{stmt("OutputAwsSnsA", publish, "arn:aws:sns:eu-west-1:123456789012:a?")}, "contains ?"},
		{"same sid twice", []OutputStatement{good, good}, "not unique"},
		{"unsorted", []OutputStatement{stmt("OutputB", publish, "arn:aws:sns:eu-west-1:123456789012:t"), good}, "not sorted"},
		{"no resources", []OutputStatement{stmt("OutputAwsS3A", putObject)}, "must be given"},
	}
	if p := statementProblems([]OutputStatement{good}, "aws"); len(p) > 0 {
		t.Fatalf("a good statement: %q", p)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := statementProblems(tt.stmts, "aws")
			if !strings.Contains(strings.Join(p, "\n"), tt.want) {
				t.Errorf("problems %q, want one saying %q", p, tt.want)
			}
		})
	}
}

// TestOutputStatementsStable derives the same statements whatever the
// order sa.yaml's map is read in.
func TestOutputStatementsStable(t *testing.T) {
	outputs := map[string]map[string]any{}
	for i := range 20 {
		outputs[fmt.Sprintf("aws-s3:b%d", i)] = map[string]any{"aws_value": fmt.Sprintf("bucket-%02d", i), "region": "eu-west-1"}
		outputs[fmt.Sprintf("aws-sqs:q-%d", i)] = map[string]any{"aws_value": "q", "region": "eu-west-1"}
		outputs[fmt.Sprintf("aws-sqs:q_%d", i)] = map[string]any{"aws_value": "https://sqs.eu-west-1.amazonaws.com/" + otherAccount + "/q", "region": "eu-west-1"}
	}
	first, err := deriveOutputs("eu-west-1", outputs)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 3 || len(first[0].Resources) != 20 {
		t.Fatalf("want 3 merged statements, one on 20 buckets; got %+v", first)
	}
	for range 10 {
		again, _ := deriveOutputs("eu-west-1", outputs)
		if !reflect.DeepEqual(again, first) {
			t.Fatalf("derived\n%+v\nthen\n%+v", first, again)
		}
	}
}

// FuzzOutputStatements feeds any destination to every AWS output: what
// is derived without error passes statementProblems.
func FuzzOutputStatements(f *testing.F) {
	props := map[string]string{
		"aws-s3": "aws_value", "aws-sqs": "aws_value", "aws-sns": "aws_value", "aws-firehose": "aws_value",
		"aws-lambda": "aws_value", "aws-lambda-v2": "lambda_function_arn", "aws-cloudwatch-log": "log_stream", "aws-ses": "from_email",
	}
	for _, seed := range []string{"corp-alerts", "q.fifo", "https://sqs.eu-west-1.amazonaws.com/210987654321/q",
		"arn:aws:sns:us-west-2:210987654321:t", "f:$LATEST", "arn:aws:lambda:eu-west-1:210987654321:function:f:1",
		"a*b", "x@example.com", "A <a?b@example.com>", "arn:aws:sns:eu-west-1:210987654321:*"} {
		f.Add(seed, "eu-west-1")
	}
	f.Fuzz(func(t *testing.T, value, region string) {
		for service, prop := range props {
			o := map[string]any{prop: value, "region": region, "log_group": "/g"}
			got, err := deriveOutputs("eu-west-1", map[string]map[string]any{service + ":x": o})
			if err != nil {
				continue
			}
			for _, p := range statementProblems(got, "aws") {
				t.Errorf("%s %q in %q: %s", service, value, region, p)
			}
		}
	})
}

// TestBuildOutputStatements drives sa deploy --plan-only for a home with
// AWS outputs: terraform.tfvars.json carries their statements, which
// infra/ declares and hands the processor.
func TestBuildOutputStatements(t *testing.T) {
	home, plugins := fixture(t, deployAccount)
	write(t, filepath.Join(home, "sa.yaml"), `listen: 127.0.0.1:9999
outputs:
  slack:soc: {}
  aws-s3:archive:
    aws_value: acme-alerts
    region: eu-west-1
  aws-sqs:triage:
    aws_value: https://sqs.eu-west-1.amazonaws.com/`+otherAccount+`/triage
    region: eu-west-1
  aws-sns:partner:
    aws_value: partner-alerts
    region: eu-west-1
    assume_role_arn: `+roleARN+`
  aws-firehose:keys:
    aws_value: acme-delivery
    region: eu-west-1
    aws_access_key_id: AKIAIOSFODNN7EXAMPLE
apps:
  - name: duo_prod
    cluster: prod
    plugin: duo
    schedule: 10m
`)
	for _, name := range []string{"aws-s3", "aws-sqs", "aws-sns", "aws-firehose"} {
		fakePlugin(t, plugins, "output", name, elf.EM_AARCH64)
	}
	a, err := Build(context.Background(), testOptions(t, home, plugins))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(a.VarsFile)
	if err != nil {
		t.Fatal(err)
	}
	var vars struct {
		OutputStatements []OutputStatement `json:"output_statements"`
	}
	if err := json.Unmarshal(data, &vars); err != nil {
		t.Fatal(err)
	}
	want := []OutputStatement{
		stmt("OutputAwsS3Archive", putObject, "arn:aws:s3:::acme-alerts/*"),
		stmt("OutputAwsSnsPartner", assumeRole, roleARN),
		stmt("OutputAwsSqsTriage", sqsByURL, "arn:aws:sqs:eu-west-1:"+otherAccount+":triage"),
	}
	if !reflect.DeepEqual(vars.OutputStatements, want) {
		t.Errorf("terraform.tfvars.json output_statements:\n got %+v\nwant %+v", vars.OutputStatements, want)
	}
	root := loadModule(t, a.Terraform)
	if root.vars["output_statements"] == nil {
		t.Fatal("infra/ declares no output_statements")
	}
	checkProcessorStatements(t, root)
}

// checkProcessorStatements makes sure the processor's statements include
// the derived ones and still processor_statements.
func checkProcessorStatements(t *testing.T, root *tfModule) {
	t.Helper()
	refs := map[string]bool{}
	for _, m := range root.resources("module", "processor") {
		for _, tr := range m.Body.Attributes["statements"].Expr.Variables() {
			if a, ok := tr[1].(hcl.TraverseAttr); ok && len(tr) > 1 {
				refs[tr.RootName()+"."+a.Name] = true
			}
		}
	}
	for _, want := range []string{"local.output_statements", "var.processor_statements"} {
		if !refs[want] {
			t.Errorf("module processor: statements do not use %s (uses %v)", want, refs)
		}
	}
}
