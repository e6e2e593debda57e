package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/internal/corpus"
)

// benchRecords returns n CloudTrail events as the classifier leaves them:
// decoded, with the optional keys the schema defaults.
func benchRecords(b *testing.B, n int) []Record {
	b.Helper()
	out := make([]Record, n)
	for i, raw := range corpus.CloudTrailEvents(n, 1) {
		data, err := DecodeObject(raw)
		if err != nil {
			b.Fatal(err)
		}
		for _, k := range []string{"errorCode", "errorMessage", "apiVersion", "sharedEventID", "vpcEndpointId"} {
			if _, ok := data[k]; !ok {
				data[k] = ""
			}
		}
		for _, k := range []string{"additionalEventData", "addendum", "insightDetails", "serviceEventDetails"} {
			if _, ok := data[k]; !ok {
				data[k] = map[string]any{}
			}
		}
		if _, ok := data["resources"]; !ok {
			data["resources"] = []any{}
		}
		raw, _ := json.Marshal(data)
		out[i] = Record{LogType: "cloudtrail:events", Parser: "json", Service: "s3", Source: "bucket", Raw: raw, Data: data}
	}
	return out
}

// generatedRules writes n rules on cloudtrail:events in the shapes real
// rules take: event name tests, CIDR checks, nested field reads, lists.
func generatedRules(n int) File {
	names := []string{"AssumeRole", "GetObject", "PutObject", "DescribeInstances", "ConsoleLogin", "CreateUser",
		"AttachRolePolicy", "StopLogging", "PutBucketPolicy", "RunInstances", "CreateAccessKey", "DeleteTrail"}
	var b strings.Builder
	b.WriteString("rules:\n")
	for i := range n {
		name := names[i%len(names)]
		var cond string
		switch i % 5 {
		case 0:
			cond = fmt.Sprintf(`record.eventName == %q && record.userIdentity.type == "Root"`, name)
		case 1:
			cond = fmt.Sprintf(`record.eventName in [%q, "Nope%d"] && !in_network(record.sourceIPAddress, ["10.0.0.0/8", "172.16.0.0/12"])`, name, i)
		case 2:
			cond = fmt.Sprintf(`record.eventSource == "s3.amazonaws.com" && get(record.requestParameters, "bucketName", "") == "bucket-%d"`, i%50)
		case 3:
			cond = fmt.Sprintf(`record.errorCode == "AccessDenied" && record.userIdentity.userName == "user-%d"`, i%500)
		case 4:
			cond = fmt.Sprintf(`record.eventName.startsWith(%q) && record.awsRegion in ["us-east-1", "eu-west-1"] && record.readOnly == false`, name[:3])
		}
		fmt.Fprintf(&b, "  - name: gen_%d\n    logs: [cloudtrail:events]\n    condition: %s\n", i, quoteYAML(cond))
	}
	return File{Name: "generated.yaml", Data: []byte(b.String())}
}

// BenchmarkEvaluate measures records per second through evaluation
// against n generated rules, all on the records' log type.
func BenchmarkEvaluate(b *testing.B) {
	schemas := ConfSchemas(compatConf(b))
	recs := benchRecords(b, 1000)
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			e, err := New(Options{Rules: []File{generatedRules(n)}, Schemas: schemas, Logger: quietLog})
			if err != nil {
				b.Fatal(err)
			}
			benchEval(b, e, recs)
		})
	}
}

// BenchmarkEvaluateDecode adds decoding the record from JSON to the
// 100-rule case: the cost when the runtime hands over bytes.
func BenchmarkEvaluateDecode(b *testing.B) {
	recs := benchRecords(b, 1000)
	for i := range recs {
		recs[i].Data = nil
	}
	e, err := New(Options{Rules: []File{generatedRules(100)}, Schemas: ConfSchemas(compatConf(b)), Logger: quietLog})
	if err != nil {
		b.Fatal(err)
	}
	benchEval(b, e, recs)
}

// BenchmarkCommunityPack runs the whole shipped pack on CloudTrail
// records.
func BenchmarkCommunityPack(b *testing.B) {
	e := packEngine(b, Options{Logger: quietLog})
	benchEval(b, e, benchRecords(b, 1000))
}

func benchEval(b *testing.B, e *Engine, recs []Record) {
	ctx := context.Background()
	matches := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ms, err := e.Evaluate(ctx, recs[i%len(recs)])
		if err != nil {
			b.Fatal(err)
		}
		matches += len(ms)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(matches)/float64(b.N), "matches/record")
	for _, st := range e.Stats() {
		if st.Errors > 0 {
			b.Fatalf("rule %s failed %d times", st.Rule, st.Errors)
		}
	}
}
