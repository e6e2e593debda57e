package deploy

// The grants of each built-in AWS output: what its plugin calls, on which
// resources, read from its properties in sa.yaml.

import (
	"net/mail"
	"net/url"
	"regexp"
	"strings"
)

var (
	bucketRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	queueRE    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$|^[A-Za-z0-9_-]{1,75}\.fifo$`)
	topicRE    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$|^[A-Za-z0-9_-]{1,251}\.fifo$`)
	streamRE   = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,64}$`)
	logGroupRE = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]{1,512}$`)
	sqsHostRE  = regexp.MustCompile(`^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$`)
)

// s3Grants: PutObject of the alert's object in aws_value, a bucket name.
func s3Grants(o *outputProps) []grant {
	b := o.required(propResource)
	o.region("", propResource)
	if b != "" && (!bucketRE.MatchString(b) || strings.Contains(b, "..")) {
		o.fail(propResource, "is not an S3 bucket name (3-63 lowercase letters, digits, '.' and '-')")
		return nil
	}
	return []grant{o.grant([]string{"s3:PutObject"}, "arn:"+o.partition+":s3:::"+b+"/*")}
}

// sqsGrants: SendMessage to aws_value, a queue name, looked up with
// GetQueueUrl in the deployment's account, or a queue URL naming its
// account.
func sqsGrants(o *outputProps) []grant {
	v := o.required(propResource)
	region := o.region("", propResource)
	if v == "" {
		return nil
	}
	if queueRE.MatchString(v) {
		return []grant{o.grant([]string{"sqs:GetQueueUrl", "sqs:SendMessage"}, o.arnOf("sqs", region, o.account, v))}
	}
	account, name, host, ok := parseQueueURL(v)
	if !ok {
		o.fail(propResource, "is neither a queue name nor a queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>)")
		return nil
	}
	if m := sqsHostRE.FindStringSubmatch(host); m != nil && region != "" && m[1] != region {
		o.fail(propRegion, "is "+region+" but the queue URL in "+propResource+" is of "+m[1])
	}
	return []grant{o.grant([]string{"sqs:SendMessage"}, o.arnOf("sqs", region, account, name))}
}

// parseQueueURL splits an https queue URL, /<account>/<name>.
func parseQueueURL(v string) (account, name, host string, ok bool) {
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", "", "", false
	}
	account, name, _ = strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	ok = outputAcctRE.MatchString(account) && queueRE.MatchString(name)
	return account, name, u.Host, ok
}

// snsGrants: Publish to aws_value, a topic ARN, or a topic name of
// account_id or else of the caller (GetCallerIdentity needs no grant).
func snsGrants(o *outputProps) []grant {
	v, account := o.required(propResource), o.str("account_id")
	if account != "" && !outputAcctRE.MatchString(account) {
		o.fail("account_id", "is not a 12-digit account id")
	}
	switch {
	case v == "":
		return nil
	case topicRE.MatchString(v):
		if account == "" {
			account = o.account
		}
		return []grant{o.grant([]string{"sns:Publish"}, o.arnOf("sns", o.region("", propResource), account, v))}
	}
	a, ok := o.parseARN(propResource, v, "sns", "a topic name or a topic ARN (arn:<partition>:sns:<region>:<account>:<name>)")
	if ok && !topicRE.MatchString(a.resource) {
		o.fail(propResource, "names no valid topic (letters, digits, - and _, .fifo for FIFO topics)")
	}
	if !ok || len(o.errs) > 0 {
		return nil
	}
	if account != "" && account != a.account {
		o.fail("account_id", "differs from the account of the topic ARN in "+propResource)
	}
	return []grant{o.grant([]string{"sns:Publish"}, o.arnOf("sns", o.region(a.region, propResource), a.account, a.resource))}
}

// firehoseGrants: PutRecord on aws_value, a delivery stream name.
func firehoseGrants(o *outputProps) []grant {
	v := o.required(propResource)
	region := o.region("", propResource)
	if v != "" && !streamRE.MatchString(v) {
		o.fail(propResource, "is not a delivery stream name (1-64 letters, digits, '_', '.' and '-')")
		return nil
	}
	return []grant{o.grant([]string{"firehose:PutRecord"}, o.arnOf("firehose", region, o.account, "deliverystream/"+v))}
}

// logsGrants: PutLogEvents on log_stream (default sa-alerts) in
// log_group, and CreateLogStream in the group for a missing stream.
func logsGrants(o *outputProps) []grant {
	group, stream := o.required("log_group"), o.str("log_stream")
	region := o.region("", "log_group")
	if stream == "" {
		stream = "sa-alerts"
	}
	if group != "" && !logGroupRE.MatchString(group) {
		o.fail("log_group", "is not a log group name (1-512 letters, digits and ._-/#)")
		return nil
	}
	if strings.Contains(stream, ":") || len(stream) > 512 {
		o.fail("log_stream", "is not a log stream name (1-512 characters, no ':' or '*')")
		return nil
	}
	if !o.literal("log_stream", stream) {
		return nil
	}
	arn := o.arnOf("logs", region, o.account, "log-group:"+group)
	return []grant{
		o.grant([]string{"logs:CreateLogStream"}, arn+":*"),
		o.grant([]string{"logs:PutLogEvents"}, arn+":log-stream:"+stream),
	}
}

// sesGrants: SendEmail, simple or raw, from from_email, which SES
// authorizes on the identity of the address or of its domain, whichever
// is verified.
func sesGrants(o *outputProps) []grant {
	from := o.str("from_email")
	region := o.region("", "from_email")
	if from == "" {
		return nil // kept with the credentials: see addOutputs
	}
	a, err := mail.ParseAddress(from)
	if err != nil {
		o.fail("from_email", "is not an email address")
		return nil
	}
	at := strings.LastIndexByte(a.Address, '@')
	if at < 1 || at == len(a.Address)-1 {
		o.fail("from_email", "is not an email address")
		return nil
	}
	if !o.literal("from_email", a.Address) {
		return nil
	}
	identity := o.arnOf("ses", region, o.account, "identity/")
	return []grant{o.grant([]string{"ses:SendEmail", "ses:SendRawEmail"}, identity+a.Address[at+1:], identity+a.Address)}
}

var (
	functionNameRE = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,64}$`)
	qualifierRE    = regexp.MustCompile(`^(\$LATEST|[a-zA-Z0-9_-]{1,128})$`)
)

// function is a Lambda function an output invokes.
type function struct {
	region, account, name, qualifier string // region and account "" when not named
}

// lambdaGrants: InvokeFunction on aws_value, a function reference.
func lambdaGrants(o *outputProps) []grant {
	v := o.required(propResource)
	if v == "" {
		return nil
	}
	f, ok := o.parseFunction(propResource, v)
	if !ok {
		return nil
	}
	return o.invoke(f, propResource)
}

// lambdaV2Grants: InvokeFunction on lambda_function_arn, with
// function_qualifier, when sa.yaml holds them (see addOutputs).
func lambdaV2Grants(o *outputProps) []grant {
	const propFunction, propQualifier = "lambda_function_arn", "function_qualifier"
	v, q := o.str(propFunction), o.str(propQualifier)
	if v == "" {
		return nil
	}
	f, ok := o.parseFunction(propFunction, v)
	switch {
	case !ok:
		return nil
	case q != "" && !qualifierRE.MatchString(q):
		o.fail(propQualifier, "must be $LATEST, a version number or an alias name")
		return nil
	case q != "" && f.qualifier != "" && q != f.qualifier:
		o.fail(propQualifier, "differs from the qualifier in "+propFunction)
		return nil
	case q != "":
		f.qualifier = q
	}
	return o.invoke(f, propFunction)
}

// invoke grants InvokeFunction on f and, when it is invoked with a
// qualifier, on its versions and aliases, which Lambda authorizes as the
// qualified ARN.
func (o *outputProps) invoke(f function, prop string) []grant {
	region := o.region(f.region, prop)
	if f.account == "" {
		f.account = o.account
	}
	arn := o.arnOf("lambda", region, f.account, "function:"+f.name)
	if f.qualifier == "" {
		return []grant{o.grant([]string{"lambda:InvokeFunction"}, arn)}
	}
	return []grant{o.grant([]string{"lambda:InvokeFunction"}, arn, arn+":*")}
}

// parseFunction reads a function reference as the Lambda outputs do:
// name[:qualifier], <account>:function:name[:qualifier] or
// arn:<partition>:lambda:<region>:<account>:function:name[:qualifier].
func (o *outputProps) parseFunction(prop, v string) (function, bool) {
	parts := strings.Split(v, ":")
	n := len(parts)
	var f function
	switch {
	case n <= 2:
		f.name = parts[0]
	case (n == 3 || n == 4) && parts[1] == "function" && outputAcctRE.MatchString(parts[0]):
		f.account, f.name = parts[0], parts[2]
	case (n == 7 || n == 8) && parts[0] == "arn" && parts[2] == "lambda" && outputRegionRE.MatchString(parts[3]) &&
		outputAcctRE.MatchString(parts[4]) && parts[5] == "function":
		if !o.samePartition(prop, parts[1]) {
			return f, false
		}
		f.region, f.account, f.name = parts[3], parts[4], parts[6]
	}
	if n%2 == 0 {
		f.qualifier = parts[n-1]
	}
	if !functionNameRE.MatchString(f.name) || n%2 == 0 && !qualifierRE.MatchString(f.qualifier) {
		o.fail(prop, "is not a function name, name:qualifier or function ARN (arn:"+o.partition+":lambda:<region>:<account>:function:<name>[:<qualifier>])")
		return f, false
	}
	return f, true
}

// samePartition fails unless an ARN's partition is the deployment's.
func (o *outputProps) samePartition(prop, partition string) bool {
	if partition != o.partition {
		o.fail(prop, "is an ARN of partition "+partition+", but the deployment's role is in "+o.partition)
		return false
	}
	return true
}

// arnParts are the parts of an ARN after its partition and service.
type arnParts struct{ region, account, resource string }

// parseARN reads an ARN of service in a region and an account; want
// says what prop should be.
func (o *outputProps) parseARN(prop, v, service, want string) (arnParts, bool) {
	p := strings.SplitN(v, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[2] != service || !outputRegionRE.MatchString(p[3]) || !outputAcctRE.MatchString(p[4]) {
		o.fail(prop, "is not "+want)
		return arnParts{}, false
	}
	return arnParts{p[3], p[4], p[5]}, o.samePartition(prop, p[1])
}
