package dynamodb

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
)

// MergeRules lists rules with alerts waiting to be merged; see
// store.MergeQueue. It scans the merge index, which holds only waiting
// alerts.
func (s *Store) MergeRules(ctx context.Context) ([]string, error) {
	proj := "#RuleName"
	in := &ddb.ScanInput{TableName: &s.tables.Alerts, IndexName: aws.String(indexMerge),
		ProjectionExpression: &proj, ExpressionAttributeNames: names(proj)}
	seen := map[string]bool{}
	for {
		res, err := s.db.Scan(ctx, in)
		if err != nil {
			return nil, wrap("list merge rules", err)
		}
		for _, it := range res.Items {
			seen[getS(it, attrRule)] = true
		}
		if len(res.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
	rules := make([]string, 0, len(seen))
	for r := range seen {
		rules = append(rules, r)
	}
	slices.Sort(rules)
	return rules, nil
}

// MergeCandidates lists a rule's alerts waiting to be merged, oldest first;
// see store.MergeQueue. The index finds them; each is then read
// consistently, and one merged since the index was written is left out.
func (s *Store) MergeCandidates(ctx context.Context, req store.CandidatesRequest) ([]*alert.Alert, error) {
	if req.Rule == "" || req.Limit <= 0 {
		return nil, fmt.Errorf("store: list merge candidates: %w", invalidf("need a rule and a positive Limit"))
	}
	cond := "#RuleName = :rule"
	in := &ddb.QueryInput{TableName: &s.tables.Alerts, IndexName: aws.String(indexMerge),
		KeyConditionExpression: &cond, ExpressionAttributeNames: names(cond),
		ExpressionAttributeValues: item{":rule": avS(req.Rule)}, ScanIndexForward: aws.Bool(true)}
	var out []*alert.Alert
	for len(out) < req.Limit {
		in.Limit = aws.Int32(int32(min(req.Limit-len(out), 1000)))
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, wrap("list merge candidates", err)
		}
		for _, it := range res.Items {
			a, err := s.load(ctx, getS(it, attrID))
			if err != nil {
				return nil, wrap("list merge candidates", err)
			}
			if a != nil && a.MergedInto == "" && a.MergeEnabled() && len(out) < req.Limit {
				out = append(out, a)
			}
		}
		if len(res.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
	return out, nil
}

// ReplaceGroup stores a merged alert in place of the alerts it was merged
// from, in one transaction; see store.MergeQueue. Each original is marked
// on condition that it still waits to be merged, and the merged alert is
// put on condition that its id is new: if any condition fails, nothing is
// written.
func (s *Store) ReplaceGroup(ctx context.Context, req store.ReplaceRequest) error {
	if err := checkReplace(req); err != nil {
		return fmt.Errorf("store: replace merge group: %w", err)
	}
	originals := slices.Compact(slices.Sorted(slices.Values(req.Replaces)))
	writes, err := s.putAlert(req.Merged)
	if err != nil {
		return wrap("replace merge group", err)
	}
	if n := len(originals) + len(writes); n > maxTransact {
		return fmt.Errorf("store: replace merge group: %w",
			invalidf("a group of %d alerts and a merged alert of %d items is over %d", len(originals), len(writes), maxTransact))
	}
	upd, cond := "SET #MergedInto = :into REMOVE #MergeKey", "attribute_exists(#MergeKey)"
	marks := make([]types.TransactWriteItem, 0, len(originals)+len(writes))
	for _, id := range originals {
		marks = append(marks, types.TransactWriteItem{Update: &types.Update{TableName: &s.tables.Alerts,
			Key: alertKey(id), UpdateExpression: &upd, ConditionExpression: &cond,
			ExpressionAttributeNames:  names(upd, cond),
			ExpressionAttributeValues: item{":into": avS(req.Merged.ID)}}})
	}
	_, err = s.db.TransactWriteItems(ctx, &ddb.TransactWriteItemsInput{TransactItems: append(marks, writes...)})
	if conditionFailed(err) {
		return fmt.Errorf("store: replace merge group: %w: an alert to replace is gone or merged already, "+
			"or the merged alert %s exists already", store.ErrConflict, req.Merged.ID)
	}
	return wrap("replace merge group", err)
}

// maxGroup bounds a merge group, well over StreamAlert's 50 per group.
const maxGroup = 90

func checkReplace(req store.ReplaceRequest) error {
	switch {
	case req.Merged == nil:
		return invalidf("no merged alert")
	case len(req.Replaces) == 0:
		return invalidf("merged alert %s replaces no alerts", req.Merged.ID)
	case req.Merged.MergeEnabled():
		return invalidf("merged alert %s would wait to be merged again", req.Merged.ID)
	case len(req.Replaces) > maxGroup:
		return invalidf("a group of %d alerts is over %d", len(req.Replaces), maxGroup)
	case slices.Contains(req.Replaces, req.Merged.ID):
		return invalidf("merged alert %s replaces itself", req.Merged.ID)
	}
	return validate([]*alert.Alert{req.Merged})
}
