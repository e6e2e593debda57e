package aws

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/streamalert-go/sa/internal/awsemu"
)

// fakeSQS is a local SQS endpoint speaking the AWS JSON 1.0 protocol the
// SDK uses: it checks each request as SQS documents it (POST /, the
// X-Amz-Target and Content-Type headers, a SigV4 Authorization header)
// and answers SendMessageBatch with the documented shape, MD5 digests
// included (the SDK verifies them). Queues are named by URL.
type fakeSQS struct {
	t   *testing.T
	srv *httptest.Server

	mu     sync.Mutex
	queues map[string][]events.SQSMessage
	calls  int
	// refuse, when set, decides which bodies SQS refuses (per entry).
	refuse func(body string) bool
	// down makes every call fail with a 500.
	down bool
	next int
}

func newFakeSQS(t *testing.T, queues ...string) *fakeSQS {
	f := &fakeSQS{t: t, queues: map[string][]events.SQSMessage{}}
	for _, q := range queues {
		f.queues[q] = nil
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// client is an SQS client of the fake, with retries off so a failure
// shows at once.
func (f *fakeSQS) client() *sqs.Client {
	cfg := awsemu.Config(f.srv.URL)
	return sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.RetryMaxAttempts = 1 })
}

// url is the URL of queue name on the fake.
func (f *fakeSQS) url(name string) string {
	return "https://sqs.us-east-1.amazonaws.com/123456789012/" + name
}

func (f *fakeSQS) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/":
		f.t.Errorf("sqs: %s %s, want POST /", r.Method, r.URL.Path)
	case r.Header.Get("Content-Type") != "application/x-amz-json-1.0":
		f.t.Errorf("sqs: Content-Type %q", r.Header.Get("Content-Type"))
	case !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKIDEMULATOR/"):
		f.t.Errorf("sqs: request is not signed with SigV4")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.down {
		sqsError(w, http.StatusInternalServerError, "InternalError", "We encountered an internal error.")
		return
	}
	switch target := r.Header.Get("X-Amz-Target"); target {
	case "AmazonSQS.SendMessageBatch":
		f.sendMessageBatch(w, r)
	default:
		sqsError(w, http.StatusBadRequest, "InvalidAction", "The action "+target+" is not valid for this endpoint.")
	}
}

func (f *fakeSQS) sendMessageBatch(w http.ResponseWriter, r *http.Request) {
	var in struct {
		QueueUrl string
		Entries  []struct{ Id, MessageBody string }
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		sqsError(w, http.StatusBadRequest, "InvalidParameterValue", err.Error())
		return
	}
	q, ok := f.queues[in.QueueUrl[strings.LastIndex(in.QueueUrl, "/")+1:]]
	switch {
	case !ok:
		sqsError(w, http.StatusBadRequest, "QueueDoesNotExist", "The specified queue does not exist.")
		return
	case len(in.Entries) == 0:
		sqsError(w, http.StatusBadRequest, "EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request.")
		return
	case len(in.Entries) > 10:
		sqsError(w, http.StatusBadRequest, "TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10.")
		return
	}
	total := 0
	for _, e := range in.Entries {
		total += len(e.MessageBody)
	}
	if total > MaxMessageBytes {
		sqsError(w, http.StatusBadRequest, "BatchRequestTooLong", "Batch requests cannot be longer than 262144 bytes.")
		return
	}
	type sent struct{ Id, MessageId, MD5OfMessageBody string }
	type failed struct {
		Id, Code, Message string
		SenderFault       bool
	}
	out := struct {
		Successful []sent
		Failed     []failed
	}{Successful: []sent{}, Failed: []failed{}}
	name := in.QueueUrl[strings.LastIndex(in.QueueUrl, "/")+1:]
	for _, e := range in.Entries {
		if f.refuse != nil && f.refuse(e.MessageBody) {
			out.Failed = append(out.Failed, failed{Id: e.Id, Code: "InternalError", Message: "try again", SenderFault: false})
			continue
		}
		f.next++
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", f.next)
		sum := md5.Sum([]byte(e.MessageBody))
		q = append(q, events.SQSMessage{
			MessageId: id, ReceiptHandle: "rh-" + id, Body: e.MessageBody, Md5OfBody: hex.EncodeToString(sum[:]),
			Attributes: map[string]string{
				"ApproximateReceiveCount": "1", "SentTimestamp": strconv.FormatInt(time.Now().UnixMilli(), 10),
			},
			EventSource: "aws:sqs", EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:" + name, AWSRegion: "us-east-1",
		})
		out.Successful = append(out.Successful, sent{Id: e.Id, MessageId: id, MD5OfMessageBody: hex.EncodeToString(sum[:])})
	}
	f.queues[name] = q
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	json.NewEncoder(w).Encode(out)
}

// take removes and returns the messages of queue name as the SQS event
// the rules function would receive.
func (f *fakeSQS) take(name string) events.SQSEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	ev := events.SQSEvent{Records: f.queues[name]}
	f.queues[name] = nil
	return ev
}

// sqsError answers with an AWS JSON 1.0 error, as SQS does.
func sqsError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("x-amzn-query-error", "AWS.SimpleQueueService."+code+";Sender")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.sqs#" + code, "message": msg})
}
