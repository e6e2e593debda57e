package threatintel

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamalert-go/sa/host/rules"
	"github.com/streamalert-go/sa/internal/awsemu"
)

// iocTable starts dynalite with an IOC table named as the AWS runtime's
// and returns a client of it.
func iocTable(t *testing.T, name string) *dynamodb.Client {
	t.Helper()
	client := dynamodb.NewFromConfig(awsemu.Config(awsemu.Dynalite(t)))
	_, err := client.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("ioc_value"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("ioc_value"), AttributeType: types.ScalarAttributeTypeS}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// scanTable returns the table's items by ioc_value, each attribute as text.
func scanTable(t *testing.T, client *dynamodb.Client, table string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	p := dynamodb.NewScanPaginator(client, &dynamodb.ScanInput{TableName: aws.String(table)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range page.Items {
			m := map[string]string{}
			for k, v := range item {
				switch v := v.(type) {
				case *types.AttributeValueMemberS:
					m[k] = "S:" + v.Value
				case *types.AttributeValueMemberN:
					m[k] = "N:" + v.Value
				default:
					m[k] = fmt.Sprintf("%T", v)
				}
			}
			out[strings.TrimPrefix(m["ioc_value"], "S:")] = m
		}
	}
	return out
}

// TestDynamoWriter writes a feed's IOCs, more than one call's worth, and
// finds each item in StreamAlert's shape and matched by the Dynamo
// reader.
func TestDynamoWriter(t *testing.T) {
	client := iocTable(t, "iocs")
	w, err := NewDynamoWriter(client, DynamoWriterOptions{Table: "iocs", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour).Unix()
	var iocs []IOC
	for i := range 60 {
		iocs = append(iocs, IOC{Value: fmt.Sprintf("198.51.100.%d", i), Type: IP, SubType: "mal_ip", Source: "crowdstrike", Expires: exp})
	}
	iocs = append(iocs,
		IOC{Value: "EVIL.example.", Type: Domain, SubType: "c2_domain", Source: "crowdstrike", Expires: exp},
		IOC{Value: "evil.example", Type: Domain, Expires: exp + 60}, // the same value, living longer
		IOC{Value: "D41D8CD98F00B204E9800998ECF8427E", Type: MD5, Source: "feed"},
		IOC{Value: "not-an-address", Type: IP},
		IOC{Value: "x", Type: "registry_key"},
		IOC{Value: "https://example.com/" + strings.Repeat("a", 3000), Type: URL},
	)
	n, err := w.Write(context.Background(), iocs)
	if err != nil || n != 62 {
		t.Fatalf("Write = %d, %v; want 62 items", n, err)
	}
	items := scanTable(t, client, "iocs")
	if len(items) != 62 {
		t.Fatalf("%d items in the table, want 62", len(items))
	}
	want := map[string]map[string]string{
		"198.51.100.7":                     {"ioc_value": "S:198.51.100.7", "ioc_type": "S:ip", "sub_type": "S:mal_ip", "source": "S:crowdstrike", "expiration_ts": fmt.Sprintf("N:%d", exp)},
		"evil.example":                     {"ioc_value": "S:evil.example", "ioc_type": "S:domain", "expiration_ts": fmt.Sprintf("N:%d", exp+60)},
		"d41d8cd98f00b204e9800998ecf8427e": {"ioc_value": "S:d41d8cd98f00b204e9800998ecf8427e", "ioc_type": "S:md5", "source": "S:feed"},
	}
	for v, attrs := range want {
		if fmt.Sprint(items[v]) != fmt.Sprint(attrs) {
			t.Errorf("item %s = %v, want %v", v, items[v], attrs)
		}
	}

	// What was written is what the runtime's reader matches.
	d, err := NewDynamo(DefaultConfig(), client, DynamoOptions{Table: "iocs"})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := rules.DecodeObject([]byte(`{"streamalert:normalization": {"sourceAddress": ["198.51.100.59", "192.0.2.1"], "destinationDomain": ["Evil.Example"]}}`))
	got := d.MatchRecord(rec)
	if fmt.Sprint(got) != fmt.Sprint(map[string][]string{Domain: {"evil.example"}, IP: {"198.51.100.59"}}) {
		t.Errorf("reader matched %v", got)
	}
}

// flaky is a BatchWriteAPI that passes calls to a real client but leaves
// the last `hold` items of each call unprocessed, as DynamoDB does when a
// table's capacity runs out.
type flaky struct {
	next BatchWriteAPI
	hold func(call int) int

	mu    sync.Mutex
	calls int
	sizes []int
}

func (f *flaky) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	f.mu.Lock()
	call := f.calls
	f.calls++
	f.mu.Unlock()
	out := &dynamodb.BatchWriteItemOutput{UnprocessedItems: map[string][]types.WriteRequest{}}
	send := map[string][]types.WriteRequest{}
	for table, reqs := range in.RequestItems {
		f.mu.Lock()
		f.sizes = append(f.sizes, len(reqs))
		f.mu.Unlock()
		k := min(f.hold(call), len(reqs))
		send[table] = reqs[:len(reqs)-k]
		if k > 0 {
			out.UnprocessedItems[table] = reqs[len(reqs)-k:]
		}
		if len(send[table]) == 0 {
			delete(send, table)
		}
	}
	if len(send) > 0 {
		if _, err := f.next.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: send}, opts...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TestDynamoWriterUnprocessed: unprocessed items are written by further
// calls; items still unprocessed after the last try are an error naming
// the table and the count.
func TestDynamoWriterUnprocessed(t *testing.T) {
	client := iocTable(t, "iocs")
	var iocs []IOC
	for i := range 30 {
		iocs = append(iocs, IOC{Value: fmt.Sprintf("203.0.113.%d", i), Type: IP})
	}
	ctx := context.Background()

	f := &flaky{next: client, hold: func(call int) int { return []int{10, 4, 0, 0, 0}[min(call, 4)] }}
	w, _ := NewDynamoWriter(f, DynamoWriterOptions{Table: "iocs", Backoff: time.Millisecond})
	if n, err := w.Write(ctx, iocs); err != nil || n != 30 {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if got := fmt.Sprint(f.sizes); got != "[25 10 4 5]" {
		t.Errorf("call sizes %s, want 25 items, the 10 unprocessed, the 4 still unprocessed, then the last 5", got)
	}
	if n := len(scanTable(t, client, "iocs")); n != 30 {
		t.Errorf("%d items written, want 30", n)
	}

	stuck := &flaky{next: client, hold: func(int) int { return 3 }}
	w, _ = NewDynamoWriter(stuck, DynamoWriterOptions{Table: "iocs", Tries: 4, Backoff: time.Millisecond})
	n, err := w.Write(ctx, iocs)
	if err == nil || !strings.Contains(err.Error(), "IOC table iocs: 8 of 30 items not written") || n != 22 {
		t.Errorf("Write = %d, %v; want 22 written and an error counting the rest", n, err)
	}
	if stuck.calls != 4 {
		t.Errorf("%d calls, want the 4 tries of the first chunk only", stuck.calls)
	}
}
