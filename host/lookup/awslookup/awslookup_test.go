package awslookup

import (
	"bytes"
	"compress/gzip"
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/lookup"
	"github.com/streamalert-go/sa/internal/awsemu"
)

// reports records what lookup.Tables reported, by table.
type reports struct {
	mu  sync.Mutex
	got map[string]string
}

func (r *reports) report(table string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got[table] = err.Error()
}

func (r *reports) of(table string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got[table]
}

func serve(t *testing.T, cfg aws.Config, tables ...config.LookupTable) (*lookup.Tables, *reports) {
	t.Helper()
	r := &reports{got: map[string]string{}}
	tbs := lookup.FromConfig(config.LookupTables{Enabled: true, Tables: tables}, Drivers(cfg))
	return lookup.New(lookup.Options{Report: r.report, Logger: slog.New(slog.DiscardHandler)}, tbs...), r
}

func TestS3Tables(t *testing.T) {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	defer srv.Close()
	cfg := awsemu.Config(srv.URL)
	ctx := context.Background()
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("tables")}); err != nil {
		t.Fatal(err)
	}
	put := func(key string, body []byte) {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tables"), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	put("plain.json", []byte(`{"admins": ["alice", "bob"], "limit": 5}`))
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(`{"admins": ["carol"]}`))
	w.Close()
	put("packed.json.gz", gz.Bytes())
	put("broken.json", []byte(`["not", "an", "object"]`))

	tables, rep := serve(t, cfg,
		config.LookupTable{Name: "plain", Driver: "s3", Bucket: "tables", Key: "plain.json", CacheRefreshMinutes: 10},
		config.LookupTable{Name: "packed", Driver: "s3", Bucket: "tables", Key: "packed.json.gz", Compression: true},
		config.LookupTable{Name: "broken", Driver: "s3", Bucket: "tables", Key: "broken.json"},
		config.LookupTable{Name: "missing", Driver: "s3", Bucket: "nobucket", Key: "x.json"},
	)
	tests := []struct {
		table, key string
		want       any
		ok         bool
	}{
		{"plain", "admins", []any{"alice", "bob"}, true},
		{"plain", "limit", int64(5), true},
		{"plain", "nobody", nil, false},
		{"packed", "admins", []any{"carol"}, true},
		{"broken", "admins", nil, false},
		{"missing", "admins", nil, false},
	}
	for _, tc := range tests {
		got, ok := tables.Get(tc.table, tc.key)
		if ok != tc.ok || !equal(got, tc.want) {
			t.Errorf("Get(%s, %s) = %#v, %v; want %#v, %v", tc.table, tc.key, got, ok, tc.want, tc.ok)
		}
	}
	if r := rep.of("broken"); !strings.Contains(r, "not a JSON object") || !strings.Contains(r, "s3://tables/broken.json") {
		t.Errorf("broken table report = %q", r)
	}
	if r := rep.of("missing"); !strings.Contains(r, "s3://nobucket/x.json") {
		t.Errorf("missing bucket report = %q", r)
	}
	if r := rep.of("plain"); r != "" {
		t.Errorf("plain table reported %q", r)
	}
}

func TestDynamoDBTables(t *testing.T) {
	cfg := awsemu.Config(awsemu.Dynalite(t))
	ctx := context.Background()
	client := dynamodb.NewFromConfig(cfg)
	create := func(name string, keys ...string) {
		in := &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: types.BillingModePayPerRequest}
		for i, k := range keys {
			kt := types.KeyTypeHash
			if i == 1 {
				kt = types.KeyTypeRange
			}
			in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String(k), KeyType: kt})
			in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String(k), AttributeType: types.ScalarAttributeTypeS})
		}
		if _, err := client.CreateTable(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	create("hosts", "hostname")
	create("owners", "account", "region")
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	for _, item := range []struct {
		table string
		item  map[string]types.AttributeValue
	}{
		{"hosts", map[string]types.AttributeValue{"hostname": s("web-1"), "info": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"owner": s("sre"), "cores": &types.AttributeValueMemberN{Value: "8"}, "load": &types.AttributeValueMemberN{Value: "0.5"},
			"prod": &types.AttributeValueMemberBOOL{Value: true}, "tags": &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
		}}}},
		{"hosts", map[string]types.AttributeValue{"hostname": s("web-2")}},
		{"owners", map[string]types.AttributeValue{"account": s("123"), "region": s("us-east-1"), "team": s("payments")}},
	} {
		if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(item.table), Item: item.item}); err != nil {
			t.Fatal(err)
		}
	}

	tables, rep := serve(t, cfg,
		config.LookupTable{Name: "hosts", Driver: "dynamodb", Table: "hosts", PartitionKey: "hostname", ValueKey: "info", CacheRefreshMinutes: 3},
		config.LookupTable{Name: "owners", Driver: "dynamodb", Table: "owners", PartitionKey: "account", SortKey: "region", ValueKey: "team", KeyDelimiter: ":", ConsistentRead: true},
		config.LookupTable{Name: "gone", Driver: "dynamodb", Table: "no-such-table", PartitionKey: "k", ValueKey: "v"},
	)
	tests := []struct {
		table, key string
		want       any
		ok         bool
	}{
		{"hosts", "web-1", map[string]any{"owner": "sre", "cores": int64(8), "load": 0.5, "prod": true, "tags": []any{"a", "b"}}, true},
		{"hosts", "web-2", nil, false}, // item without the value attribute
		{"hosts", "web-3", nil, false}, // no item
		{"owners", "123:us-east-1", "payments", true},
		{"owners", "123:eu-west-1", nil, false},
		{"owners", "123", nil, false}, // cannot address a sort key
		{"gone", "x", nil, false},
	}
	for _, tc := range tests {
		got, ok := tables.Get(tc.table, tc.key)
		if ok != tc.ok || !equal(got, tc.want) {
			t.Errorf("Get(%s, %s) = %#v, %v; want %#v, %v", tc.table, tc.key, got, ok, tc.want, tc.ok)
		}
	}
	if r := rep.of("gone"); !strings.Contains(r, "no-such-table") || !strings.Contains(r, "ResourceNotFoundException") {
		t.Errorf("missing table report = %q", r)
	}
	for _, name := range []string{"hosts", "owners"} {
		if r := rep.of(name); r != "" {
			t.Errorf("table %s reported %q", name, r)
		}
	}
}

func equal(a, b any) bool {
	switch a := a.(type) {
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equal(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k := range a {
			if !equal(a[k], b[k]) {
				return false
			}
		}
		return true
	}
	return a == b
}
