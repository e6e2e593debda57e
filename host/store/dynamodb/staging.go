package dynamodb

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamalert-go/sa/host/rules/staging"
)

// stagingKey is the state table item holding the staging table.
const stagingKey = "rules/staging"

// attrVersion numbers the staging item's writes, for optimistic locking.
const attrVersion = "Version"

// stagingTries bounds the read-modify-write attempts of one Update that
// keeps losing to concurrent writers.
const stagingTries = 20

// Staging returns the rule staging table kept in the state table, shared
// by every rules function sandbox, the merger that promotes rules and the
// sa rules commands.
func (s *Store) Staging() staging.Store { return stagingStore{s} }

// stagingStore keeps every rule's staging state in one item: its value is
// the JSON map, its version the count of writes. Update reads the item,
// applies the change and writes it on condition that the version is
// still the one read, retrying from the read when another writer came
// first, so no process's change is lost.
type stagingStore struct{ s *Store }

// Load implements staging.Store.
func (st stagingStore) Load(ctx context.Context) (map[string]staging.State, error) {
	states, _, err := st.read(ctx)
	return states, err
}

func (st stagingStore) read(ctx context.Context) (map[string]staging.State, int64, error) {
	res, err := st.s.db.GetItem(ctx, &ddb.GetItemInput{TableName: &st.s.tables.State,
		Key: item{attrStateKey: avS(stagingKey)}, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, 0, wrap("read staging table", err)
	}
	states := map[string]staging.State{}
	if len(res.Item) == 0 {
		return states, 0, nil
	}
	var version int64
	if n, ok := res.Item[attrVersion].(*types.AttributeValueMemberN); ok {
		if version, err = strconv.ParseInt(n.Value, 10, 64); err != nil {
			return nil, 0, fmt.Errorf("store: staging table: version %q: %w", n.Value, err)
		}
	}
	if b, ok := res.Item[attrStateValue].(*types.AttributeValueMemberB); ok && len(b.Value) > 0 {
		if err := json.Unmarshal(b.Value, &states); err != nil {
			return nil, 0, fmt.Errorf("store: staging table: %w", err)
		}
	}
	return states, version, nil
}

// Update implements staging.Store.
func (st stagingStore) Update(ctx context.Context, change func(map[string]staging.State) error) error {
	for try := 0; ; try++ {
		states, version, err := st.read(ctx)
		if err != nil {
			return err
		}
		if err := change(states); err != nil {
			return err
		}
		data, err := json.Marshal(states)
		if err != nil {
			return fmt.Errorf("store: staging table: %w", err)
		}
		in := &ddb.PutItemInput{
			TableName: &st.s.tables.State,
			Item: item{
				attrStateKey: avS(stagingKey), attrStateValue: &types.AttributeValueMemberB{Value: data},
				attrVersion: avN(version + 1), attrUpdated: avN(time.Now().UnixMicro()),
			},
			ConditionExpression:       aws.String("#v = :v"),
			ExpressionAttributeNames:  map[string]string{"#v": attrVersion},
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": avN(version)},
		}
		if version == 0 {
			in.ConditionExpression = aws.String("attribute_not_exists(#k)")
			in.ExpressionAttributeNames = map[string]string{"#k": attrStateKey}
			in.ExpressionAttributeValues = nil
		}
		_, err = st.s.db.PutItem(ctx, in)
		switch {
		case err == nil:
			return nil
		case !conditionFailed(err):
			return wrap("write staging table", err)
		case try+1 == stagingTries:
			return fmt.Errorf("store: write staging table: %d attempts lost to concurrent writers", stagingTries)
		}
		// Another writer came first: read again, after a short random
		// pause so that writers racing in step spread out.
		t := time.NewTimer(time.Duration(rand.Int64N(int64(10*time.Millisecond) << min(try, 5))))
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("store: write staging table: %w", ctx.Err())
		case <-t.C:
		}
	}
}

var _ staging.Store = stagingStore{}
