package awsfake

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// Size limits the fake enforces, as the services document them.
const (
	firehoseRecordLimit = 1000 * 1024
	lambdaEventLimit    = 1 << 20
	sqsMessageLimit     = 1 << 20
	snsMessageLimit     = 256 * 1024
)

// handler answers one operation of a service.
type handler func(s *Server, c Call) (reply, *apiError)

// handlers maps "service.Operation" to its handler.
var handlers = map[string]handler{
	"sqs.GetQueueUrl":       (*Server).getQueueURL,
	"sqs.SendMessage":       (*Server).sendMessage,
	"firehose.PutRecord":    (*Server).putRecord,
	"logs.PutLogEvents":     (*Server).putLogEvents,
	"logs.CreateLogStream":  (*Server).createLogStream,
	"sns.Publish":           (*Server).publish,
	"sts.AssumeRole":        (*Server).assumeRole,
	"sts.GetCallerIdentity": (*Server).getCallerIdentity,
	"lambda.Invoke":         (*Server).invoke,
	"ses.SendEmail":         (*Server).sendEmail,
}

// dispatch runs the operation and records the call.
func (s *Server) dispatch(w http.ResponseWriter, p protocol, c Call) {
	h, ok := handlers[c.Service+"."+c.Op]
	if !ok {
		s.reject(c.Service + ": unknown operation " + c.Op)
		s.writeError(w, p, apiError{status: 400, code: "InvalidAction", msg: "The action " + c.Op + " is not valid for this endpoint."})
		return
	}
	s.record(c)
	r, e := h(s, c)
	if e != nil {
		s.writeError(w, p, *e)
		return
	}
	s.write(w, p, c.Op, r)
}

func notFound(code, msg string) *apiError {
	return &apiError{status: 400, code: code, msg: msg}
}

func invalid(code, msg string) *apiError {
	return &apiError{status: 400, code: code, msg: msg}
}

// --- SQS

func (s *Server) getQueueURL(c Call) (reply, *apiError) {
	name := c.String("QueueName")
	s.mu.Lock()
	ok := s.queues[name]
	s.mu.Unlock()
	if !ok {
		return reply{}, queueMissing()
	}
	return reply{json: map[string]string{"QueueUrl": s.QueueURL(name)}}, nil
}

func queueMissing() *apiError {
	return &apiError{status: 400, code: "QueueDoesNotExist", queryCode: "AWS.SimpleQueueService.NonExistentQueue",
		msg: "The specified queue does not exist."}
}

func (s *Server) sendMessage(c Call) (reply, *apiError) {
	name, _ := strings.CutPrefix(c.String("QueueUrl"), s.URL+"/"+Account+"/")
	s.mu.Lock()
	ok := s.queues[name]
	s.mu.Unlock()
	body := c.String("MessageBody")
	switch {
	case !ok:
		return reply{}, queueMissing()
	case body == "":
		return reply{}, invalid("MissingParameter", "The request must contain the parameter MessageBody.")
	case len(body) > sqsMessageLimit:
		return reply{}, invalid("InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.")
	}
	sum := md5.Sum([]byte(body))
	return reply{json: map[string]string{"MD5OfMessageBody": hex.EncodeToString(sum[:]), "MessageId": s.nextRequestID()}}, nil
}

// --- Firehose

func (s *Server) putRecord(c Call) (reply, *apiError) {
	name := c.String("DeliveryStreamName")
	s.mu.Lock()
	ok := s.streams[name]
	s.mu.Unlock()
	if !ok {
		return reply{}, notFound("ResourceNotFoundException", "Firehose "+name+" under account "+Account+" not found.")
	}
	data, err := base64.StdEncoding.DecodeString(c.String("Record", "Data"))
	if err != nil || len(data) == 0 {
		return reply{}, invalid("InvalidArgumentException", "Record.Data must be non-empty base64")
	}
	if len(data) > firehoseRecordLimit {
		return reply{}, invalid("InvalidArgumentException", "1 validation error detected: Value at 'record.data' failed to satisfy constraint: Member must have length less than or equal to 1024000")
	}
	return reply{json: map[string]any{"RecordId": s.nextRequestID(), "Encrypted": false}}, nil
}

// Blob decodes a base64 member of the JSON body, as Firehose's Record.Data.
func (c Call) Blob(keys ...string) []byte {
	b, _ := base64.StdEncoding.DecodeString(c.String(keys...))
	return b
}

// --- CloudWatch Logs

func (s *Server) putLogEvents(c Call) (reply, *apiError) {
	group, stream := c.String("logGroupName"), c.String("logStreamName")
	s.mu.Lock()
	streams, okGroup := s.groups[group]
	okStream := okGroup && streams[stream]
	s.mu.Unlock()
	switch {
	case !okGroup:
		return reply{}, notFound("ResourceNotFoundException", "The specified log group does not exist.")
	case !okStream:
		return reply{}, notFound("ResourceNotFoundException", "The specified log stream does not exist.")
	}
	events, _ := c.Get("logEvents").([]any)
	if len(events) == 0 {
		return reply{}, invalid("InvalidParameterException", "logEvents must not be empty")
	}
	now := s.LogNow()
	rejected := map[string]int{}
	for i, e := range events {
		ms, _ := e.(map[string]any)["timestamp"].(json.Number).Int64()
		at := time.UnixMilli(ms)
		switch {
		case at.After(now.Add(2 * time.Hour)):
			rejected["tooNewLogEventStartIndex"] = i
		case at.Before(now.Add(-14 * 24 * time.Hour)):
			rejected["tooOldLogEventEndIndex"] = i
		}
	}
	out := map[string]any{"nextSequenceToken": "49" + strings.Repeat("0", 54)}
	if len(rejected) > 0 {
		out["rejectedLogEventsInfo"] = rejected
	}
	return reply{json: out}, nil
}

func (s *Server) createLogStream(c Call) (reply, *apiError) {
	group, stream := c.String("logGroupName"), c.String("logStreamName")
	s.mu.Lock()
	defer s.mu.Unlock()
	streams, ok := s.groups[group]
	switch {
	case !ok:
		return reply{}, notFound("ResourceNotFoundException", "The specified log group does not exist.")
	case streams[stream]:
		return reply{}, invalid("ResourceAlreadyExistsException", "The specified log stream already exists")
	}
	streams[stream] = true
	return reply{}, nil
}

// --- SNS

func (s *Server) publish(c Call) (reply, *apiError) {
	arn := c.Form.Get("TopicArn")
	s.mu.Lock()
	ok := s.topics[arn]
	s.mu.Unlock()
	msg, subject := c.Form.Get("Message"), c.Form.Get("Subject")
	switch {
	case !ok:
		return reply{}, &apiError{status: 404, code: "NotFound", msg: "Topic does not exist"}
	case msg == "":
		return reply{}, invalid("InvalidParameter", "Invalid parameter: Empty message")
	case len(msg) > snsMessageLimit:
		return reply{}, invalid("InvalidParameter", "Invalid parameter: Message too long")
	case c.Form.Has("Subject") && !validSubject(subject):
		return reply{}, invalid("InvalidParameter", "Invalid parameter: Subject")
	}
	return reply{xml: "<MessageId>" + s.nextRequestID() + "</MessageId>"}, nil
}

// validSubject: "UTF-8 text with no line breaks or control characters,
// and less than 100 characters long."
func validSubject(s string) bool {
	if s == "" || len([]rune(s)) >= 100 {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// --- STS

var sessionNameRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

func (s *Server) assumeRole(c Call) (reply, *apiError) {
	role, session, ext := c.Form.Get("RoleArn"), c.Form.Get("RoleSessionName"), c.Form.Get("ExternalId")
	s.mu.Lock()
	want, ok := s.roles[role]
	s.mu.Unlock()
	switch {
	case !sessionNameRE.MatchString(session):
		return reply{}, invalid("ValidationError", "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint")
	case !ok || want != ext:
		e := faultError("sts", AccessDenied)
		return reply{}, &e
	}
	s.mu.Lock()
	s.creds[TempAccessKeyID] = credential{secret: TempSecretKey, token: SessionToken}
	s.mu.Unlock()
	roleName := role[strings.LastIndexByte(role, '/')+1:]
	exp := s.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	return reply{xml: "<Credentials><AccessKeyId>" + TempAccessKeyID + "</AccessKeyId><SecretAccessKey>" + TempSecretKey +
		"</SecretAccessKey><SessionToken>" + SessionToken + "</SessionToken><Expiration>" + exp + "</Expiration></Credentials>" +
		"<AssumedRoleUser><AssumedRoleId>AROASAFAKE0000000003:" + html.EscapeString(session) + "</AssumedRoleId><Arn>arn:aws:sts::" +
		Account + ":assumed-role/" + html.EscapeString(roleName) + "/" + html.EscapeString(session) + "</Arn></AssumedRoleUser>"}, nil
}

func (s *Server) getCallerIdentity(c Call) (reply, *apiError) {
	arn, id := "arn:aws:iam::"+Account+":user/sa", "AIDASAFAKE0000000004"
	if c.SessionToken != "" {
		arn, id = "arn:aws:sts::"+Account+":assumed-role/sa-alert-delivery/sa-output", "AROASAFAKE0000000003:sa-output"
	}
	return reply{xml: "<Arn>" + arn + "</Arn><UserId>" + id + "</UserId><Account>" + Account + "</Account>"}, nil
}

// --- Lambda

func (s *Server) invoke(c Call) (reply, *apiError) {
	region, name, qualifier, ok := resolveFunction(strings.TrimSuffix(strings.TrimPrefix(c.Path, "/2015-03-31/functions/"), "/invocations"))
	if q := c.Query.Get("Qualifier"); q != "" {
		if qualifier != "" && q != qualifier {
			return reply{}, invalid("InvalidParameterValueException", "The derived qualifier from the function name does not match the specified qualifier.")
		}
		qualifier = q
	}
	if region == "" {
		region = c.Region
	}
	s.mu.Lock()
	quals, exists := s.functions[name]
	exists = exists && ok && region == c.Region && (qualifier == "" || quals[qualifier])
	s.mu.Unlock()
	switch {
	case !exists:
		return reply{}, &apiError{status: 404, code: "ResourceNotFoundException", msg: "Function not found: " + functionARN(region, name, qualifier)}
	case len(c.Body) > lambdaEventLimit:
		return reply{}, &apiError{status: 413, code: "RequestTooLargeException", msg: fmt.Sprintf("Request must be smaller than %d bytes for the Invoke operation", lambdaEventLimit)}
	case c.Header.Get("X-Amz-Invocation-Type") != "Event":
		return reply{}, invalid("InvalidParameterValueException", "the fake serves asynchronous (Event) invocations only")
	}
	return reply{status: http.StatusAccepted, header: map[string]string{"X-Amz-Executed-Version": "$LATEST"}}, nil
}

// resolveFunction reads a FunctionName path parameter: a name, a partial
// ARN or an ARN, with an optional qualifier.
func resolveFunction(ref string) (region, name, qualifier string, ok bool) {
	parts := strings.Split(ref, ":")
	switch {
	case len(parts) <= 2:
		name = parts[0]
		if len(parts) == 2 {
			qualifier = parts[1]
		}
	case (len(parts) == 3 || len(parts) == 4) && parts[0] == Account && parts[1] == "function":
		name = parts[2]
		if len(parts) == 4 {
			qualifier = parts[3]
		}
	case (len(parts) == 7 || len(parts) == 8) && parts[0] == "arn" && parts[2] == "lambda" && parts[4] == Account && parts[5] == "function":
		region, name = parts[3], parts[6]
		if len(parts) == 8 {
			qualifier = parts[7]
		}
	default:
		return "", "", "", false
	}
	return region, name, qualifier, name != ""
}

// --- SES v2

func (s *Server) sendEmail(c Call) (reply, *apiError) {
	from := ""
	if a, err := mail.ParseAddress(c.String("FromEmailAddress")); err == nil {
		from = strings.ToLower(a.Address)
	}
	domain := from[strings.LastIndexByte(from, '@')+1:]
	s.mu.Lock()
	verified := s.identities[from] || s.identities[domain]
	s.mu.Unlock()
	to, _ := c.Get("Destination", "ToAddresses").([]any)
	switch {
	case from == "":
		return reply{}, &apiError{status: 400, code: "BadRequestException", msg: "FromEmailAddress is not a valid address"}
	case !verified:
		return reply{}, &apiError{status: 400, code: "MessageRejected",
			msg: "Email address is not verified. The following identities failed the check in region " + strings.ToUpper(c.Region) + ": " + from}
	case len(to) == 0 && c.Get("Content", "Raw") == nil:
		return reply{}, &apiError{status: 400, code: "BadRequestException", msg: "Destination is required"}
	case c.Get("Content", "Simple") == nil && c.Get("Content", "Raw") == nil:
		return reply{}, &apiError{status: 400, code: "BadRequestException", msg: "Content must be Simple, Raw or Template"}
	}
	return reply{json: map[string]string{"MessageId": s.nextRequestID()}}, nil
}
