// Package awslookup is the s3 and dynamodb drivers of lookup_tables.json,
// over aws-sdk-go-v2. Both runtimes use them: the AWS runtime with the
// function's role, the embedded runtime with the machine's credentials.
package awslookup

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/lookup"
)

// maxObjectBytes bounds an S3 table object as downloaded; lookup.Decode
// bounds it again after decompression.
const maxObjectBytes = 1 << 30

// Drivers returns the s3 and dynamodb drivers, with clients made from cfg.
func Drivers(cfg aws.Config) lookup.Drivers {
	return lookup.Drivers{
		config.DriverS3: func(t config.LookupTable) (lookup.Table, error) {
			return lookup.Table{Loader: S3{Client: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), Bucket: t.Bucket, Key: t.Key}}, nil
		},
		config.DriverDynamoDB: func(t config.LookupTable) (lookup.Table, error) {
			return lookup.Table{Fetcher: &DynamoDB{
				Client: dynamodb.NewFromConfig(cfg), Table: t.Table,
				PartitionKey: t.PartitionKey, SortKey: t.SortKey, ValueKey: t.ValueKey,
				KeyDelimiter: t.KeyDelimiter, ConsistentRead: t.ConsistentRead,
			}}, nil
		},
	}
}

// S3 loads a whole table from one object: a JSON object of key to value,
// plain or gzip or zlib compressed.
type S3 struct {
	Client      *s3.Client
	Bucket, Key string
}

// Load implements lookup.Loader.
func (s S3) Load(ctx context.Context) (map[string]any, error) {
	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.Bucket, Key: &s.Key})
	if err != nil {
		return nil, fmt.Errorf("s3://%s/%s: %w", s.Bucket, s.Key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, maxObjectBytes+1))
	if err != nil {
		return nil, fmt.Errorf("s3://%s/%s: %w", s.Bucket, s.Key, err)
	}
	if len(data) > maxObjectBytes {
		return nil, fmt.Errorf("s3://%s/%s: object larger than %d bytes", s.Bucket, s.Key, maxObjectBytes)
	}
	m, err := lookup.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("s3://%s/%s: %w", s.Bucket, s.Key, err)
	}
	return m, nil
}

// DynamoDB fetches one item per key. With a SortKey, a lookup key is split
// once on KeyDelimiter into the partition and sort key values.
type DynamoDB struct {
	Client                          *dynamodb.Client
	Table                           string
	PartitionKey, SortKey, ValueKey string
	KeyDelimiter                    string
	// ConsistentRead asks for strongly consistent reads, as the table's
	// configuration says (StreamAlert read the setting and ignored it).
	ConsistentRead bool
}

// Fetch implements lookup.Fetcher. A missing item, or an item without the
// value attribute, is absent.
func (d *DynamoDB) Fetch(ctx context.Context, key string) (any, bool, error) {
	item := map[string]types.AttributeValue{}
	if d.SortKey == "" {
		item[d.PartitionKey] = &types.AttributeValueMemberS{Value: key}
	} else {
		delim := d.KeyDelimiter
		if delim == "" {
			delim = ":"
		}
		pk, sk, ok := strings.Cut(key, delim)
		if !ok {
			// A key that cannot address an item is absent, not a failure of
			// the table: the rule gets its default.
			return nil, false, nil
		}
		item[d.PartitionKey] = &types.AttributeValueMemberS{Value: pk}
		item[d.SortKey] = &types.AttributeValueMemberS{Value: sk}
	}
	out, err := d.Client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                &d.Table,
		Key:                      item,
		ConsistentRead:           aws.Bool(d.ConsistentRead),
		ProjectionExpression:     aws.String("#v"),
		ExpressionAttributeNames: map[string]string{"#v": d.ValueKey},
	})
	if err != nil {
		return nil, false, fmt.Errorf("dynamodb table %s: %w", d.Table, err)
	}
	av, ok := out.Item[d.ValueKey]
	if !ok {
		return nil, false, nil
	}
	v, err := Value(av)
	if err != nil {
		return nil, false, fmt.Errorf("dynamodb table %s, attribute %s: %w", d.Table, d.ValueKey, err)
	}
	return v, true, nil
}

// Value converts a DynamoDB attribute to the values rules see: strings,
// int64 or float64 numbers, bools, nil, []any and map[string]any. Binary
// values become strings of their bytes.
func Value(av types.AttributeValue) (any, error) {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return v.Value, nil
	case *types.AttributeValueMemberN:
		return number(v.Value)
	case *types.AttributeValueMemberBOOL:
		return v.Value, nil
	case *types.AttributeValueMemberNULL:
		return nil, nil
	case *types.AttributeValueMemberB:
		return string(v.Value), nil
	case *types.AttributeValueMemberSS:
		return strings2any(v.Value), nil
	case *types.AttributeValueMemberBS:
		out := make([]any, len(v.Value))
		for i, b := range v.Value {
			out[i] = string(b)
		}
		return out, nil
	case *types.AttributeValueMemberNS:
		out := make([]any, len(v.Value))
		for i, n := range v.Value {
			x, err := number(n)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case *types.AttributeValueMemberL:
		out := make([]any, len(v.Value))
		for i, e := range v.Value {
			x, err := Value(e)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case *types.AttributeValueMemberM:
		out := make(map[string]any, len(v.Value))
		for k, e := range v.Value {
			x, err := Value(e)
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported attribute type %T", av)
}

func number(s string) (any, error) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("number %q: %w", s, err)
	}
	return f, nil
}

func strings2any(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
