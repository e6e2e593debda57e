package dynamodb

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
)

// maxTransact is DynamoDB's limit on the items of one transaction.
const maxTransact = 100

// Insert commits alerts; see store.Writer and the package documentation
// for batches over one transaction.
func (s *Store) Insert(ctx context.Context, alerts ...*alert.Alert) error {
	if err := validate(alerts); err != nil {
		return fmt.Errorf("store: insert alerts: %w", err)
	}
	return wrap("insert alerts", s.commit(ctx, alerts, nil))
}

// validate checks every alert before any is written, so that a bad one
// fails the batch without a round trip.
func validate(alerts []*alert.Alert) error {
	for i, a := range alerts {
		if a == nil {
			return invalidf("alert %d is nil", i)
		}
		if err := a.Validate(); err != nil {
			return invalid(fmt.Errorf("alert %s: %w", a.ID, err))
		}
		if n := len(a.Deliveries) + 1; n > maxTransact {
			return invalidf("alert %s has %d outputs, over %d", a.ID, len(a.Deliveries), maxTransact-1)
		}
	}
	return nil
}

// commit writes the alerts not stored yet and the state writes. A
// condition failing means another writer stored one of the alerts
// meanwhile: the stored ones are looked up again and the rest retried.
func (s *Store) commit(ctx context.Context, alerts []*alert.Alert, state []types.TransactWriteItem) error {
	for try := 0; ; try++ {
		fresh, err := s.absent(ctx, alerts)
		if err != nil {
			return err
		}
		var groups [][]types.TransactWriteItem
		for _, a := range fresh {
			g, err := s.putAlert(a)
			if err != nil {
				return err
			}
			groups = append(groups, g)
		}
		if len(state) > 0 {
			groups = append(groups, state)
		}
		err = s.transact(ctx, groups)
		if err == nil || !conditionFailed(err) || try == 2 {
			return err
		}
	}
}

// transact writes groups of items, each group whole in one transaction,
// packing groups into as few transactions as fit, in order.
func (s *Store) transact(ctx context.Context, groups [][]types.TransactWriteItem) error {
	var batch []types.TransactWriteItem
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := s.db.TransactWriteItems(ctx, &ddb.TransactWriteItemsInput{TransactItems: batch})
		batch = nil
		return err
	}
	for _, g := range groups {
		if len(g) > maxTransact {
			return invalidf("%d writes that must commit together are over %d", len(g), maxTransact)
		}
		if len(batch)+len(g) > maxTransact {
			if err := flush(); err != nil {
				return err
			}
		}
		batch = append(batch, g...)
	}
	return flush()
}

// putAlert is the conditional puts of a new alert's items.
func (s *Store) putAlert(a *alert.Alert) ([]types.TransactWriteItem, error) {
	head, err := alertItem(a)
	if err != nil {
		return nil, err
	}
	cond := "attribute_not_exists(#AlertID)"
	put := func(it item) types.TransactWriteItem {
		return types.TransactWriteItem{Put: &types.Put{TableName: &s.tables.Alerts, Item: it,
			ConditionExpression: &cond, ExpressionAttributeNames: names(cond)}}
	}
	out := []types.TransactWriteItem{put(head)}
	for _, d := range a.Deliveries {
		out = append(out, put(deliveryItem(a.ID, d)))
	}
	return out, nil
}

// absent returns the alerts whose ids are not stored, each id once.
func (s *Store) absent(ctx context.Context, alerts []*alert.Alert) ([]*alert.Alert, error) {
	var out []*alert.Alert
	seen := map[string]bool{}
	for _, a := range alerts {
		if seen[a.ID] {
			continue
		}
		seen[a.ID] = true
		res, err := s.db.GetItem(ctx, &ddb.GetItemInput{TableName: &s.tables.Alerts, Key: alertKey(a.ID),
			ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("#AlertID"),
			ExpressionAttributeNames: names("#AlertID")})
		if err != nil {
			return nil, fmt.Errorf("alert %s: %w", a.ID, err)
		}
		if len(res.Item) == 0 {
			out = append(out, a)
		}
	}
	return out, nil
}

// WithTx runs fn and commits what it wrote; see store.Writer. Writes are
// buffered until fn returns, so a failing fn leaves nothing behind.
func (s *Store) WithTx(ctx context.Context, fn func(store.Tx) error) error {
	t := &txn{s: s, state: map[string]*[]byte{}}
	if err := fn(t); err != nil {
		return err
	}
	return wrap("commit", s.commit(ctx, t.alerts, t.stateWrites()))
}

// txn buffers a transaction's writes.
type txn struct {
	s      *Store
	alerts []*alert.Alert
	// state maps a key to its new value, nil for a deletion.
	state map[string]*[]byte
}

func (t *txn) Insert(_ context.Context, alerts ...*alert.Alert) error {
	if err := validate(alerts); err != nil {
		return fmt.Errorf("store: insert alerts: %w", err)
	}
	t.alerts = append(t.alerts, alerts...)
	return nil
}

func (t *txn) GetState(ctx context.Context, key string) ([]byte, bool, error) {
	if v, ok := t.state[key]; ok {
		if v == nil {
			return nil, false, nil
		}
		return slices.Clone(*v), true, nil
	}
	return t.s.GetState(ctx, key)
}

func (t *txn) PutState(_ context.Context, key string, value []byte) error {
	v := slices.Clone(value)
	t.state[key] = &v
	return nil
}

func (t *txn) DeleteState(_ context.Context, key string) error {
	t.state[key] = nil
	return nil
}

func (t *txn) stateWrites() []types.TransactWriteItem {
	keys := make([]string, 0, len(t.state))
	for k := range t.state {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []types.TransactWriteItem
	for _, k := range keys {
		if v := t.state[k]; v != nil {
			out = append(out, types.TransactWriteItem{Put: &types.Put{TableName: &t.s.tables.State,
				Item: t.s.stateItem(k, *v)}})
		} else {
			out = append(out, types.TransactWriteItem{Delete: &types.Delete{TableName: &t.s.tables.State,
				Key: item{attrStateKey: avS(k)}}})
		}
	}
	return out
}

// stateItem is a checkpoint item; an empty value has no Value attribute.
func (s *Store) stateItem(key string, value []byte) item {
	it := item{attrStateKey: avS(key), attrUpdated: avN(time.Now().UnixMicro())}
	if len(value) > 0 {
		it[attrStateValue] = &types.AttributeValueMemberB{Value: slices.Clone(value)}
	}
	return it
}

// GetState reads a checkpoint; see store.Checkpoints.
func (s *Store) GetState(ctx context.Context, key string) ([]byte, bool, error) {
	res, err := s.db.GetItem(ctx, &ddb.GetItemInput{TableName: &s.tables.State,
		Key: item{attrStateKey: avS(key)}, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, false, wrap("get state "+key, err)
	}
	if len(res.Item) == 0 {
		return nil, false, nil
	}
	v := []byte{}
	if b, ok := res.Item[attrStateValue].(*types.AttributeValueMemberB); ok {
		v = b.Value
	}
	return v, true, nil
}

// PutState writes a checkpoint; see store.Checkpoints.
func (s *Store) PutState(ctx context.Context, key string, value []byte) error {
	_, err := s.db.PutItem(ctx, &ddb.PutItemInput{TableName: &s.tables.State, Item: s.stateItem(key, value)})
	return wrap("put state "+key, err)
}

// DeleteState removes a checkpoint; see store.Checkpoints.
func (s *Store) DeleteState(ctx context.Context, key string) error {
	_, err := s.db.DeleteItem(ctx, &ddb.DeleteItemInput{TableName: &s.tables.State,
		Key: item{attrStateKey: avS(key)}})
	return wrap("delete state "+key, err)
}

var _ store.Tx = (*txn)(nil)
