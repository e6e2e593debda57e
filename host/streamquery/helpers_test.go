package streamquery

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/internal/awsemu"
	"github.com/streamalert-go/sa/internal/awsfake"
	"github.com/streamalert-go/sa/internal/testbin"
)

var quiet = slog.New(slog.DiscardHandler)

// The function's name, as Lambda sets AWS_LAMBDA_FUNCTION_NAME.
const functionName = "sa_streamalert_scheduled_queries"

// fakeConfig is an AWS configuration of the fake: its credentials, TLS
// trust, and the SDK's standard retryer (three attempts) without waits.
func fakeConfig(s *awsfake.Server) aws.Config {
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	return aws.Config{
		Region: awsfake.Region, BaseEndpoint: aws.String(s.URL),
		HTTPClient:  &http.Client{Transport: tr, Timeout: 10 * time.Second},
		Credentials: credentials.NewStaticCredentialsProvider(awsfake.AccessKeyID, awsfake.SecretKey, ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			})
		},
	}
}

var streamN atomic.Int64

// newStream starts kinesalite and creates a one-shard stream on it.
func newStream(t *testing.T) (*kinesis.Client, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := kinesis.NewFromConfig(awsemu.Config(awsemu.Kinesalite(t)))
	stream := fmt.Sprintf("sa_queries_%d", streamN.Add(1))
	if _, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: &stream, ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	for {
		out, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: &stream})
		if err != nil {
			t.Fatal(err)
		}
		if out.StreamDescriptionSummary.StreamStatus == ktypes.StreamStatusActive {
			return client, stream
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// streamRecord is a record read back from the stream.
type streamRecord struct {
	Key  string
	Data []byte
	Rec  Record
}

// readStream reads every record of the stream's shard, in order.
func readStream(t *testing.T, client *kinesis.Client, stream string) []streamRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	shards, err := client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: &stream})
	if err != nil || len(shards.Shards) != 1 {
		t.Fatalf("ListShards: %v %v", shards, err)
	}
	it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName: &stream, ShardId: shards.Shards[0].ShardId, ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []streamRecord
	for iter := it.ShardIterator; iter != nil; {
		page, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Records {
			sr := streamRecord{Key: aws.ToString(r.PartitionKey), Data: r.Data}
			if err := json.Unmarshal(r.Data, &sr.Rec); err != nil {
				t.Fatalf("record %s: %v", aws.ToString(r.SequenceNumber), err)
			}
			out = append(out, sr)
		}
		if len(page.Records) == 0 {
			break
		}
		iter = page.NextShardIterator
	}
	return out
}

// byName groups records by query name.
func byName(recs []streamRecord) map[string][]streamRecord {
	out := map[string][]streamRecord{}
	for _, r := range recs {
		out[r.Rec.Execution.Name] = append(out[r.Rec.Execution.Name], r)
	}
	return out
}

// harness is a handler over the fake's Athena and Lambda and a
// kinesalite stream.
type harness struct {
	fake    *awsfake.Server
	kinesis *kinesis.Client
	stream  string
	cfg     *Config
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	s := awsfake.New(t)
	s.AddFunction(functionName)
	s.AddWorkgroup("security")
	kc, stream := newStream(t)
	return &harness{fake: s, kinesis: kc, stream: stream,
		cfg: &Config{Enabled: true, Stream: stream, Timeout: time.Minute, Wait: 50 * time.Millisecond}}
}

// handler returns the function over queries; edit changes the options.
func (h *harness) handler(t *testing.T, queries []*Query, edit ...func(*Options)) *Handler {
	t.Helper()
	aws := fakeConfig(h.fake)
	o := Options{
		Athena: athena.NewFromConfig(aws), Kinesis: h.kinesis, Lambda: lambda.NewFromConfig(aws),
		Function: functionName, Config: h.cfg, Queries: queries,
		Database: "sa_streamalert", Workgroup: "security", OutputLocation: "s3://sa-athena-results/scheduled_queries/",
		Stream: h.stream, Region: "us-east-1", FirstPoll: 10 * time.Millisecond, RetryWait: time.Millisecond, Log: quiet,
	}
	for _, e := range edit {
		e(&o)
	}
	hd, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return hd
}

func mustQuery(t *testing.T, src string) *Query {
	t.Helper()
	q, err := ParseQuery(t.Name()+".yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// scheduled is the event a pack's schedule sends.
func scheduled(clock string, tags ...string) Event {
	return Event{Configuration: &Configuration{Clock: clock, Tags: tags}}
}

// classifyAll classifies data as records of the stream with StreamAlert's
// compat conf, plus a cluster reading the stream for the streamquery
// schema, and returns the log type of each.
func classifyAll(t *testing.T, stream string, data [][]byte) []string {
	t.Helper()
	compat := filepath.Join(testbin.Root(t), "..", "shared", "compat", "conf")
	if _, err := os.Stat(compat); err != nil {
		t.Skipf("compat conf not found: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "conf")
	if err := os.CopyFS(dir, os.DirFS(compat)); err != nil {
		t.Fatal(err)
	}
	cluster := fmt.Sprintf(`{"id": "queries", "data_sources": {"kinesis": {%q: ["streamquery"]}}}`, stream)
	if err := os.WriteFile(filepath.Join(dir, "clusters", "queries.json"), []byte(cluster), 0o644); err != nil {
		t.Fatal(err)
	}
	conf, err := config.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := classify.New(conf, classify.Options{Parsers: classify.Builtin(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	results, err := c.Classify(context.Background(), classify.Source{Service: "kinesis", Resource: stream}, data)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, r := range results {
		if r.Failure != nil || len(r.Records) != 1 {
			t.Errorf("record %d: %d classified, failure %+v", i, len(r.Records), r.Failure)
			continue
		}
		out = append(out, string(r.Records[0].LogType))
	}
	return out
}
