package dynamodb

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
)

// load reads one alert with its deliveries in one consistent Query; it
// returns nil for an id the store does not hold.
func (s *Store) load(ctx context.Context, id string) (*alert.Alert, error) {
	cond := "#AlertID = :id"
	in := &ddb.QueryInput{TableName: &s.tables.Alerts, KeyConditionExpression: &cond,
		ExpressionAttributeNames: names(cond), ExpressionAttributeValues: item{":id": avS(id)},
		ConsistentRead: aws.Bool(true)}
	var items []item
	for {
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("alert %s: %w", id, err)
		}
		items = append(items, res.Items...)
		if len(res.LastEvaluatedKey) == 0 {
			return decodeAlert(items)
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// Get returns one alert; see store.Browser.
func (s *Store) Get(ctx context.Context, id string) (*alert.Alert, error) {
	a, err := s.load(ctx, id)
	if err != nil {
		return nil, wrap("get alert "+id, err)
	}
	if a == nil {
		return nil, fmt.Errorf("store: get alert %s: %w", id, store.ErrNotFound)
	}
	return a, nil
}

// List returns a page of matching alerts, newest first; see store.Browser.
// Rule and staging are filtered on the list index's projection; the other
// filters need the alert, which is read for each candidate. It suits an
// operator's search, as the SQLite store's text scan does.
func (s *Store) List(ctx context.Context, req store.ListRequest) (store.ListResponse, error) {
	limit := cmp.Or(req.Limit, 100)
	if err := checkFilter(req.Filter); err != nil {
		return store.ListResponse{}, fmt.Errorf("store: list alerts: %w", err)
	}
	if req.Cursor != "" && !validCursor(req.Cursor) {
		return store.ListResponse{}, fmt.Errorf("store: list alerts: %w",
			invalidf("cursor %q is not one List returned", req.Cursor))
	}
	var page []*alert.Alert
	err := s.walk(ctx, req.Filter, req.Cursor, func(a *alert.Alert) bool {
		page = append(page, a)
		return len(page) <= limit // one more than asked tells whether there is a next page
	})
	if err != nil {
		return store.ListResponse{}, wrap("list alerts", err)
	}
	var resp store.ListResponse
	if len(page) > limit {
		page = page[:limit]
		resp.Next = listKey(page[limit-1])
	}
	resp.Alerts = page
	return resp, nil
}

func listKey(a *alert.Alert) string { return timeKey(a.Created.UnixMicro(), a.ID) }

// validCursor reports whether c has the shape of a list key.
func validCursor(c string) bool {
	if len(c) < 22 || c[20] != '#' {
		return false
	}
	for i := range 20 {
		if c[i] < '0' || c[i] > '9' {
			return false
		}
	}
	return true
}

func checkFilter(f store.Filter) error {
	if len(f.IDs) > 1000 {
		return invalidf("%d ids is over 1000", len(f.IDs))
	}
	switch f.Status {
	case "", store.StatusFailed, store.StatusPending, store.StatusMerged, store.StatusDelivered, store.StatusStaged:
		return nil
	}
	return invalidf("unknown status %q (want pending, delivered, failed, merged or staged)", f.Status)
}

// walk calls fn with the alerts matching f, newest first, listed before
// the list key before (all when empty), until fn returns false.
func (s *Store) walk(ctx context.Context, f store.Filter, before string, fn func(*alert.Alert) bool) error {
	if !f.Until.IsZero() {
		if u := timeKey(f.Until.UnixMicro()); before == "" || u < before {
			before = u
		}
	}
	if len(f.IDs) > 0 {
		return s.walkIDs(ctx, f, before, fn)
	}
	cond := "#ListPart = :part"
	values := item{":part": avS(listPart)}
	if before != "" {
		cond += " AND #ListKey < :before"
		values[":before"] = avS(before)
	}
	in := &ddb.QueryInput{TableName: &s.tables.Alerts, IndexName: aws.String(indexList),
		KeyConditionExpression: &cond, ExpressionAttributeNames: names(cond),
		ExpressionAttributeValues: values, ScanIndexForward: aws.Bool(false), Limit: aws.Int32(200)}
	for {
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return err
		}
		for _, it := range res.Items {
			if !f.Since.IsZero() && getN(it, attrCreated) < f.Since.UnixMicro() {
				return nil // newest first: the rest are older still
			}
			if (f.Rule != "" && getS(it, attrRule) != f.Rule) || (f.Status == store.StatusStaged && !getBool(it, attrStaged)) {
				continue
			}
			more, err := s.visit(ctx, getS(it, attrID), f, fn)
			if err != nil || !more {
				return err
			}
		}
		if len(res.LastEvaluatedKey) == 0 {
			return nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// walkIDs is walk over named alerts, read directly.
func (s *Store) walkIDs(ctx context.Context, f store.Filter, before string, fn func(*alert.Alert) bool) error {
	var as []*alert.Alert
	for _, id := range slices.Compact(slices.Sorted(slices.Values(f.IDs))) {
		a, err := s.load(ctx, id)
		if err != nil {
			return err
		}
		if a != nil && (before == "" || listKey(a) < before) && matches(a, f) {
			as = append(as, a)
		}
	}
	slices.SortFunc(as, func(a, b *alert.Alert) int { return strings.Compare(listKey(b), listKey(a)) })
	for _, a := range as {
		if !fn(a) {
			return nil
		}
	}
	return nil
}

// visit loads one alert and hands it to fn if it matches; an alert pruned
// since the index was read is skipped.
func (s *Store) visit(ctx context.Context, id string, f store.Filter, fn func(*alert.Alert) bool) (bool, error) {
	a, err := s.load(ctx, id)
	if err != nil {
		return false, err
	}
	if a == nil || !matches(a, f) {
		return true, nil
	}
	return fn(a), nil
}

// matches applies a checked filter to an alert.
func matches(a *alert.Alert, f store.Filter) bool {
	switch {
	case f.Rule != "" && a.RuleName != f.Rule,
		!f.Since.IsZero() && a.Created.Before(f.Since),
		!f.Until.IsZero() && !a.Created.Before(f.Until):
		return false
	}
	switch f.Status {
	case store.StatusStaged:
		if !a.Staged {
			return false
		}
	case "":
	default:
		if store.Status(a.State()) != f.Status {
			return false
		}
	}
	return f.Text == "" || matchText(a, f.Text)
}

// matchText matches text, ASCII case-insensitively, anywhere in the
// alert's JSON payload, either as typed, which finds structure
// ("eventName":"ConsoleLogin"), or as it reads inside a JSON string, which
// finds values holding quotes, backslashes or <>& (the payload escapes
// those): what the SQLite store's LIKE matches.
func matchText(a *alert.Alert, text string) bool {
	body, err := a.Payload()
	if err != nil {
		return false
	}
	body = lowerASCII(body)
	typed := lowerASCII([]byte(text))
	enc, _ := json.Marshal(text) // a string always encodes
	inString := lowerASCII(enc[1 : len(enc)-1])
	return bytes.Contains(body, typed) || bytes.Contains(body, inString)
}

// lowerASCII lowers ASCII letters only, as SQL's LIKE does.
func lowerASCII(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// Retry resets the failed pairs of matching alerts; see store.Browser.
// Each reset is conditional on the pair still being failed, so two
// operators retrying at once count each pair once.
func (s *Store) Retry(ctx context.Context, req store.RetryRequest) (int, error) {
	if err := checkFilter(req.Filter); err != nil {
		return 0, fmt.Errorf("store: retry: %w", err)
	}
	var failed []alert.Delivery
	var ids []string
	err := s.walk(ctx, req.Filter, "", func(a *alert.Alert) bool {
		for _, d := range a.Deliveries {
			if d.Status == alert.Failed && (req.Output == "" || d.Output == req.Output) {
				failed, ids = append(failed, d), append(ids, a.ID)
			}
		}
		return true
	})
	if err != nil {
		return 0, wrap("retry", err)
	}
	n := 0
	next := micros(req.Now)
	for i, d := range failed {
		upd := "SET #Status = :pending, #Attempts = :zero, #NextAttempt = :next, #DuePart = :part, #DueKey = :key " +
			"REMOVE #LeaseUntil, #LeaseToken"
		cond := "#Status = :failed"
		_, err := s.db.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: &s.tables.Alerts,
			Key: deliveryKey(ids[i], d.Output), UpdateExpression: &upd, ConditionExpression: &cond,
			ExpressionAttributeNames: names(upd, cond),
			ExpressionAttributeValues: item{":pending": avS(string(alert.Pending)), ":zero": avN(0),
				":next": avN(next), ":part": avS(duePart), ":key": avS(timeKey(next, ids[i], d.Output)),
				":failed": avS(string(alert.Failed))}})
		switch {
		case conditionFailed(err):
		case err != nil:
			return n, wrap("retry", fmt.Errorf("alert %s output %s: %w", ids[i], d.Output, err))
		default:
			n++
		}
	}
	return n, nil
}

// Prune deletes done alerts created before req.Before; see store.Store.
// Each alert is deleted in one transaction conditional on none of its
// deliveries being pending, so a pair retried meanwhile keeps its alert.
func (s *Store) Prune(ctx context.Context, req store.PruneRequest) (int, error) {
	if req.Before.IsZero() {
		return 0, fmt.Errorf("store: prune: %w", invalidf("need a Before time"))
	}
	var doomed []*alert.Alert
	err := s.walk(ctx, store.Filter{Until: req.Before}, "", func(a *alert.Alert) bool {
		if a.Done() && (req.Failed || a.State() != alert.StateFailed) {
			doomed = append(doomed, a)
		}
		return true
	})
	if err != nil {
		return 0, wrap("prune", err)
	}
	n := 0
	for _, a := range doomed {
		err := s.deleteAlert(ctx, a)
		switch {
		case conditionFailed(err):
		case err != nil:
			return n, wrap("prune", fmt.Errorf("alert %s: %w", a.ID, err))
		default:
			n++
		}
	}
	return n, nil
}

func (s *Store) deleteAlert(ctx context.Context, a *alert.Alert) error {
	cond := "#Status <> :pending"
	values := item{":pending": avS(string(alert.Pending))}
	writes := []types.TransactWriteItem{{Delete: &types.Delete{TableName: &s.tables.Alerts, Key: alertKey(a.ID)}}}
	for _, d := range a.Deliveries {
		writes = append(writes, types.TransactWriteItem{Delete: &types.Delete{TableName: &s.tables.Alerts,
			Key: deliveryKey(a.ID, d.Output), ConditionExpression: &cond,
			ExpressionAttributeNames: names(cond), ExpressionAttributeValues: values}})
	}
	_, err := s.db.TransactWriteItems(ctx, &ddb.TransactWriteItemsInput{TransactItems: writes})
	return err
}
