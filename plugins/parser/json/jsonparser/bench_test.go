package jsonparser

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"testing"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// cloudTrailEvent returns one CloudTrail event of about 1.4 KB, varied by i.
func cloudTrailEvent(i int) []byte {
	return fmt.Appendf(nil, `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE%[1]d:session-%[1]d",`+
		`"arn":"arn:aws:sts::123456789012:assumed-role/Admin/session-%[1]d","accountId":"123456789012","accessKeyId":"ASIAEXAMPLE%[1]d",`+
		`"sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::123456789012:role/Admin",`+
		`"accountId":"123456789012","userName":"Admin"},"webIdFederationData":{},"attributes":{"creationDate":"2026-11-23T01:02:03Z",`+
		`"mfaAuthenticated":"true"}}},"eventTime":"2026-11-23T01:%02[2]d:%02[2]dZ","eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy",`+
		`"awsRegion":"us-east-1","sourceIPAddress":"203.0.113.%[3]d","userAgent":"[aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64]",`+
		`"requestParameters":{"bucketName":"bucket-%[1]d","Host":"bucket-%[1]d.s3.amazonaws.com","policy":"{\"Version\":\"2012-10-17\",`+
		`\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::bucket-%[1]d/*\"}]}"},`+
		`"responseElements":null,"additionalEventData":{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,`+
		`"AuthenticationMethod":"AuthHeader","x-amz-id-2":"EXAMPLE%[1]d","bytesTransferredOut":0},"requestID":"REQ%[1]d",`+
		`"eventID":"4f5e6d7c-%08[1]d-4a3b-9c8d-7e6f5a4b3c2d","readOnly":false,"resources":[{"accountId":"123456789012","type":"AWS::S3::Bucket",`+
		`"ARN":"arn:aws:s3:::bucket-%[1]d"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012",`+
		`"eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256",`+
		`"clientProvidedHostHeader":"bucket-%[1]d.s3.amazonaws.com"}}`, i, i%60, i%250)
}

// cloudTrailFile wraps n events as CloudTrail writes them to S3.
func cloudTrailFile(first, n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"Records":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(cloudTrailEvent(first + i))
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// BenchmarkParse parses batches of CloudTrail deliveries, one event each,
// with the cloudtrail:events configuration (json_path "Records[*]"), and a
// whole S3 object of 1,000 events as one record.
func BenchmarkParse(b *testing.B) {
	opts := []byte(`{"json_path": "Records[*]", "optional_top_level_keys": ["addendum"]}`)
	for _, size := range []int{1, 100, 1000} {
		records := make([][]byte, size)
		n := 0
		for i := range records {
			records[i] = cloudTrailFile(i, 1)
			n += len(records[i])
		}
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			bench(b, opts, records, size, n)
		})
	}
	file := cloudTrailFile(0, 1000)
	b.Run("s3-object-1000-events", func(b *testing.B) {
		bench(b, opts, [][]byte{file}, 1000, len(file))
	})
	b.Run("general-jmespath/batch=100", func(b *testing.B) {
		records := make([][]byte, 100)
		for i := range records {
			records[i] = cloudTrailFile(i, 1)
		}
		bench(b, []byte(`{"json_path": "Records[?eventName != 'x']"}`), records, 100, 100*len(records[0]))
	})
}

func bench(b *testing.B, opts []byte, records [][]byte, events, size int) {
	p := New()
	req := saplugin.ParseRequest{LogType: "cloudtrail:events", Options: opts, Records: records}
	ctx := context.Background()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		res, err := p.Parse(ctx, req)
		if err != nil || res[0].Err != "" {
			b.Fatal(err, res[0].Err)
		}
	}
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(len(records)*b.N)/secs, "records/s")
	b.ReportMetric(float64(events*b.N)/secs, "events/s")
}

// TestLargeRecord parses a CloudTrail object of over 100 MB as one record
// and checks that the parser allocates a small fraction of its size: the
// records it returns are slices of the input.
func TestLargeRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 100 MB record")
	}
	var b bytes.Buffer
	b.WriteString(`{"Records":[`)
	ev := cloudTrailEvent(1)
	n := 0
	for b.Len() < 100<<20 {
		if n > 0 {
			b.WriteByte(',')
		}
		b.Write(ev)
		n++
	}
	b.WriteString(`]}`)
	record := b.Bytes()
	for opts, want := range map[string]int{`{"json_path": "Records[*]"}`: n, `{}`: 1} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		res, err := New().Parse(context.Background(), saplugin.ParseRequest{Options: []byte(opts), Records: [][]byte{record}})
		runtime.ReadMemStats(&after)
		if err != nil || res[0].Err != "" {
			t.Fatal(err, res[0].Err)
		}
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("options %s: %d candidates from %d MB, %.1f MB allocated", opts, len(res[0].Candidates), len(record)>>20, float64(alloc)/(1<<20))
		if len(res[0].Candidates) != want {
			t.Errorf("options %s: %d candidates, want %d", opts, len(res[0].Candidates), want)
		}
		if alloc > uint64(len(record))/4 {
			t.Errorf("options %s: allocated %d bytes for a %d-byte record", opts, alloc, len(record))
		}
	}
}
