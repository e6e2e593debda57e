package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TableAPI is what CreateTables calls; *dynamodb.Client implements it.
type TableAPI interface {
	CreateTable(ctx context.Context, in *ddb.CreateTableInput, opts ...func(*ddb.Options)) (*ddb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, in *ddb.DescribeTableInput, opts ...func(*ddb.Options)) (*ddb.DescribeTableOutput, error)
}

// CreateTables creates the store's tables, on-demand and encrypted at rest,
// and waits until they are active. It is what tests and `sa` use against an
// empty account; the Terraform in infra/ mirrors it, and the two must be
// changed together.
func CreateTables(ctx context.Context, client TableAPI, names Tables) error {
	for _, in := range []*ddb.CreateTableInput{alertsTable(names.Alerts), stateTable(names.State)} {
		_, err := client.CreateTable(ctx, in)
		var inUse *types.ResourceInUseException
		if errors.As(err, &inUse) {
			// The table exists: a deployment run again, or a retried call
			// whose first attempt landed. It must have the key schema
			// the store needs.
			err = sameKeys(ctx, client, in)
		}
		if err != nil {
			return fmt.Errorf("store: create table %s: %w", *in.TableName, err)
		}
	}
	w := ddb.NewTableExistsWaiter(client, func(o *ddb.TableExistsWaiterOptions) {
		o.MinDelay = 100 * time.Millisecond
		o.MaxDelay = 5 * time.Second
	})
	for _, name := range []string{names.Alerts, names.State} {
		if err := w.Wait(ctx, &ddb.DescribeTableInput{TableName: aws.String(name)}, 5*time.Minute); err != nil {
			return fmt.Errorf("store: wait for table %s: %w", name, err)
		}
	}
	return nil
}

func alertsTable(name string) *ddb.CreateTableInput {
	attrs := []types.AttributeDefinition{}
	for _, a := range []string{attrID, attrItem, attrRule, attrMergeKey, attrDuePart, attrDueKey, attrListPart, attrListKey} {
		attrs = append(attrs, types.AttributeDefinition{AttributeName: aws.String(a), AttributeType: types.ScalarAttributeTypeS})
	}
	return &ddb.CreateTableInput{
		TableName: aws.String(name), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: attrs, KeySchema: keySchema(attrID, attrItem),
		SSESpecification: &types.SSESpecification{Enabled: aws.Bool(true)},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
			{IndexName: aws.String(indexMerge), KeySchema: keySchema(attrRule, attrMergeKey),
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}},
			{IndexName: aws.String(indexDue), KeySchema: keySchema(attrDuePart, attrDueKey),
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude,
					NonKeyAttributes: []string{attrAttempts, attrLeaseUntil, attrError}}},
			{IndexName: aws.String(indexList), KeySchema: keySchema(attrListPart, attrListKey),
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude,
					NonKeyAttributes: []string{attrRule, attrCreated, attrStaged}}},
		},
	}
}

func stateTable(name string) *ddb.CreateTableInput {
	return &ddb.CreateTableInput{
		TableName: aws.String(name), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(attrStateKey), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:        keySchema(attrStateKey, ""),
		SSESpecification: &types.SSESpecification{Enabled: aws.Bool(true)},
	}
}

// keySchema is a hash key and, unless empty, a range key.
func keySchema(hash, rng string) []types.KeySchemaElement {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash}}
	if rng != "" {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(rng), KeyType: types.KeyTypeRange})
	}
	return ks
}

// sameKeys checks that an existing table has the key schema in wants.
func sameKeys(ctx context.Context, client TableAPI, want *ddb.CreateTableInput) error {
	out, err := client.DescribeTable(ctx, &ddb.DescribeTableInput{TableName: want.TableName})
	if err != nil {
		return err
	}
	got := out.Table.KeySchema
	if len(got) != len(want.KeySchema) {
		return fmt.Errorf("the table exists with another key schema")
	}
	for i := range got {
		if aws.ToString(got[i].AttributeName) != aws.ToString(want.KeySchema[i].AttributeName) || got[i].KeyType != want.KeySchema[i].KeyType {
			return fmt.Errorf("the table exists with another key schema")
		}
	}
	return nil
}
