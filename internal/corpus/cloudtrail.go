// Package corpus generates deterministic, realistic log corpora for
// benchmarks, so every stage's figures are measured on the same data run
// after run without shipping megabytes of fixtures.
package corpus

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"
)

var (
	eventNames = []string{"AssumeRole", "GetObject", "PutObject", "DescribeInstances", "ConsoleLogin", "CreateUser",
		"AttachRolePolicy", "StopLogging", "PutBucketPolicy", "RunInstances", "CreateAccessKey", "DeleteTrail"}
	sources    = []string{"sts.amazonaws.com", "s3.amazonaws.com", "ec2.amazonaws.com", "signin.amazonaws.com", "iam.amazonaws.com", "cloudtrail.amazonaws.com"}
	regions    = []string{"us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"}
	userAgents = []string{"aws-cli/2.15.30 Python/3.11.8 Linux/6.1", "console.amazonaws.com", "Boto3/1.34.0 Python/3.12.1", "aws-sdk-go-v2/1.30.0"}
	idTypes    = []string{"IAMUser", "AssumedRole", "Root", "AWSService"}
)

// CloudTrailEvents returns n CloudTrail events as JSON objects, the same n
// for the same seed.
func CloudTrailEvents(n int, seed uint64) [][]byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	out := make([][]byte, n)
	for i := range out {
		out[i] = mustJSON(cloudTrailEvent(r, base.Add(time.Duration(i)*time.Second)))
	}
	return out
}

// CloudTrailRecords returns n raw records as CloudTrail delivers them: each
// a {"Records": [...]} document holding perRecord events.
func CloudTrailRecords(n, perRecord int, seed uint64) [][]byte {
	events := CloudTrailEvents(n*perRecord, seed)
	out := make([][]byte, n)
	for i := range out {
		batch := make([]json.RawMessage, perRecord)
		for j := range batch {
			batch[j] = events[i*perRecord+j]
		}
		out[i] = mustJSON(map[string]any{"Records": batch})
	}
	return out
}

func cloudTrailEvent(r *rand.Rand, at time.Time) map[string]any {
	account := fmt.Sprintf("%012d", 100000000000+r.IntN(20))
	idType := pick(r, idTypes)
	user := fmt.Sprintf("user-%d", r.IntN(500))
	ev := map[string]any{
		"eventVersion": "1.08",
		"userIdentity": map[string]any{
			"type":        idType,
			"principalId": fmt.Sprintf("AIDA%016X", r.Uint64()),
			"arn":         fmt.Sprintf("arn:aws:iam::%s:user/%s", account, user),
			"accountId":   account,
			"accessKeyId": fmt.Sprintf("AKIA%016X", r.Uint64()),
			"userName":    user,
			"sessionContext": map[string]any{
				"attributes": map[string]any{"creationDate": at.Add(-time.Hour).Format(time.RFC3339), "mfaAuthenticated": r.IntN(2) == 0},
			},
		},
		"eventTime":          at.Format(time.RFC3339),
		"eventSource":        pick(r, sources),
		"eventName":          pick(r, eventNames),
		"awsRegion":          pick(r, regions),
		"sourceIPAddress":    fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(223), r.IntN(256), r.IntN(256), 1+r.IntN(254)),
		"userAgent":          pick(r, userAgents),
		"requestParameters":  map[string]any{"bucketName": fmt.Sprintf("bucket-%d", r.IntN(50)), "key": fmt.Sprintf("logs/%d.json.gz", r.IntN(1e6))},
		"responseElements":   nil,
		"requestID":          fmt.Sprintf("%016X", r.Uint64()),
		"eventID":            fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<16), r.IntN(1<<16), r.Int64N(1<<48)),
		"readOnly":           r.IntN(3) > 0,
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": account,
		"eventCategory":      "Management",
		"tlsDetails":         map[string]any{"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "s3.amazonaws.com"},
	}
	if r.IntN(10) == 0 {
		ev["errorCode"] = "AccessDenied"
		ev["errorMessage"] = "User is not authorized to perform this action"
	}
	return ev
}

func pick(r *rand.Rand, from []string) string { return from[r.IntN(len(from))] }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
