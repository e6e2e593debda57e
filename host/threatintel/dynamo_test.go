package threatintel

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
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

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestDynamo(t *testing.T) {
	ctx := context.Background()
	client := dynamodb.NewFromConfig(awsemu.Config(awsemu.Dynalite(t)))
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("iocs"),
		BillingMode:          types.BillingModePayPerRequest,
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("ioc_value"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("ioc_value"), AttributeType: types.ScalarAttributeTypeS}},
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	put := func(value, typ string, expires time.Time) {
		t.Helper()
		_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("iocs"), Item: map[string]types.AttributeValue{
			"ioc_value":     &types.AttributeValueMemberS{Value: value},
			"ioc_type":      &types.AttributeValueMemberS{Value: typ},
			"sub_type":      &types.AttributeValueMemberS{Value: "mal_" + typ},
			"expiration_ts": &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	put("1.2.3.4", IP, now.Add(time.Hour))
	put("5.6.7.8", IP, now.Add(-time.Hour)) // expired, not yet deleted by TTL
	put("10.0.0.1", IP, now.Add(time.Hour)) // excluded
	put("evil.com", Domain, now.Add(time.Hour))

	clock := now
	cfg := Config{
		NormalizedTypes: map[string][]string{IP: {"sourceAddress"}, Domain: {"destinationDomain"}},
		Excluded:        map[string][]string{IP: {"10.0.0.0/8"}},
	}
	d, err := NewDynamo(cfg, client, DynamoOptions{Table: "iocs", CacheTTL: time.Minute, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	// 150 addresses: more than one BatchGetItem call.
	addrs := []string{`"1.2.3.4"`, `"5.6.7.8"`, `"10.0.0.1"`}
	for i := range 147 {
		addrs = append(addrs, fmt.Sprintf(`"192.0.2.%d"`, i))
	}
	rec, err := rules.DecodeObject([]byte(`{"streamalert:normalization": {"sourceAddress": [` + strings.Join(addrs, ",") + `], "destinationDomain": ["EVIL.com."]}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{IP: {"1.2.3.4"}, Domain: {"evil.com"}}
	check := func(when string, want map[string][]string) {
		t.Helper()
		got := d.MatchRecord(rec)
		if len(got) != len(want) {
			t.Errorf("%s: matches = %v, want %v", when, got, want)
			return
		}
		for k, v := range want {
			if !slices.Equal(got[k], v) {
				t.Errorf("%s: matches = %v, want %v", when, got, want)
			}
		}
	}
	check("first lookup", want)

	// Answers are cached for the TTL: a deleted IOC still matches until
	// the cache entry expires, then no longer.
	if _, err := client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("iocs"),
		Key: map[string]types.AttributeValue{"ioc_value": &types.AttributeValueMemberS{Value: "evil.com"}}}); err != nil {
		t.Fatal(err)
	}
	check("within the TTL", want)
	clock = clock.Add(2 * time.Minute)
	check("after the TTL", map[string][]string{IP: {"1.2.3.4"}})

	if m := d.MatchRecord(map[string]any{"a": int64(1)}); m != nil {
		t.Errorf("a record without normalization matched %v", m)
	}
}

func TestDynamoTableMissing(t *testing.T) {
	client := dynamodb.NewFromConfig(awsemu.Config(awsemu.Dynalite(t)))
	var logs syncBuffer
	d, err := NewDynamo(DefaultConfig(), client, DynamoOptions{Table: "absent", Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := rules.DecodeObject([]byte(`{"streamalert:normalization": {"sourceAddress": ["1.2.3.4"]}}`))
	for range 3 {
		if m := d.MatchRecord(rec); m != nil {
			t.Errorf("matched %v against a missing table", m)
		}
	}
	if n := strings.Count(logs.String(), "IOC table lookup failed"); n != 1 {
		t.Errorf("logged the failure %d times, want once a minute:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "table=absent") {
		t.Errorf("log does not name the table:\n%s", logs.String())
	}
}
