package dynamodb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/store"
)

// Due leases pairs whose next attempt time has passed; see store.Queue.
//
// Candidates come from the due index, oldest due first; each is leased by
// a conditional update, so a pair another processor took since the index
// was read (or that the index shows stale) is skipped, and the walk goes on
// until Limit pairs are leased or the index has no more due.
func (s *Store) Due(ctx context.Context, req store.DueRequest) ([]store.Pair, error) {
	if req.Limit <= 0 || req.Now.IsZero() {
		return nil, fmt.Errorf("store: lease due pairs: %w", invalidf("need Now and a positive Limit"))
	}
	l := lessor{s: s, now: req.Now.UnixMicro(), token: newToken()}
	l.until = req.Now.Add(cmp.Or(req.Lease, store.DefaultLease)).UnixMicro()
	cond := "#DuePart = :part AND #DueKey < :now"
	in := &ddb.QueryInput{TableName: &s.tables.Alerts, IndexName: aws.String(indexDue),
		KeyConditionExpression: &cond, ExpressionAttributeNames: names(cond),
		ExpressionAttributeValues: item{":part": avS(duePart), ":now": avS(fmt.Sprintf("%020d", l.now+1))}}
	for len(l.leased) < req.Limit {
		in.Limit = aws.Int32(int32(min(2*(req.Limit-len(l.leased))+8, 500)))
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, wrap("lease due pairs", err)
		}
		for _, it := range res.Items {
			if len(l.leased) == req.Limit {
				break
			}
			if err := l.take(ctx, it); err != nil {
				return nil, wrap("lease due pairs", err)
			}
		}
		if len(res.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
	pairs, err := l.pairs(ctx)
	return pairs, wrap("lease due pairs", err)
}

// lessor is one Due call's state.
type lessor struct {
	s                 *Store
	now, until, token int64
	leased            []leased
}

type leased struct {
	alertID, output string
	attempt         int
}

// take leases one candidate, or fails it if its budget is spent. A
// candidate whose condition fails is someone else's now, or not due: it is
// skipped.
func (l *lessor) take(ctx context.Context, it item) error {
	id, output := getS(it, attrID), strings.TrimPrefix(getS(it, attrItem), deliveryPrefix)
	if int(getN(it, attrAttempts)) >= l.s.maxAttempts {
		return l.fail(ctx, id, output, it)
	}
	upd := "SET #Attempts = #Attempts + :one, #LastAttempt = :now, #NextAttempt = :until, " +
		"#LeaseUntil = :until, #LeaseToken = :token, #DueKey = :key"
	cond := "#Status = :pending AND #NextAttempt <= :now AND #Attempts < :budget"
	res, err := l.s.db.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: &l.s.tables.Alerts,
		Key: deliveryKey(id, output), UpdateExpression: &upd, ConditionExpression: &cond,
		ExpressionAttributeNames: names(upd, cond),
		ExpressionAttributeValues: item{":one": avN(1), ":now": avN(l.now), ":until": avN(l.until),
			":token": avN(l.token), ":key": avS(timeKey(l.until, id, output)),
			":pending": avS(string(alert.Pending)), ":budget": avN(int64(l.s.maxAttempts))},
		ReturnValues: types.ReturnValueAllNew})
	if conditionFailed(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("alert %s output %s: %w", id, output, err)
	}
	l.leased = append(l.leased, leased{id, output, int(getN(res.Attributes, attrAttempts))})
	return nil
}

// fail fails a due pair out of budget: its last lease ran out without a
// result (the process died or hung mid-send), or the budget was lowered.
// Pairs that fail normally are failed by Record.
func (l *lessor) fail(ctx context.Context, id, output string, it item) error {
	msg := fmt.Sprintf("attempt budget of %d exhausted", l.s.maxAttempts)
	if _, ok := it[attrLeaseUntil]; ok {
		msg += "; the last attempt never reported back"
	}
	if e := getS(it, attrError); e != "" {
		msg += "; last error: " + e
	}
	upd := "SET #Status = :failed, #Error = :msg REMOVE #LeaseUntil, #LeaseToken, #DuePart, #DueKey"
	cond := "#Status = :pending AND #NextAttempt <= :now AND #Attempts >= :budget"
	_, err := l.s.db.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: &l.s.tables.Alerts,
		Key: deliveryKey(id, output), UpdateExpression: &upd, ConditionExpression: &cond,
		ExpressionAttributeNames: names(upd, cond),
		ExpressionAttributeValues: item{":failed": avS(string(alert.Failed)), ":msg": avS(msg),
			":pending": avS(string(alert.Pending)), ":now": avN(l.now), ":budget": avN(int64(l.s.maxAttempts))}})
	if err != nil && !conditionFailed(err) {
		return fmt.Errorf("alert %s output %s: %w", id, output, err)
	}
	return nil
}

// pairs loads the leased pairs' alerts, as of the lease, and pairs them up
// in alert id and output order.
func (l *lessor) pairs(ctx context.Context) ([]store.Pair, error) {
	slices.SortFunc(l.leased, func(a, b leased) int {
		return cmp.Or(cmp.Compare(a.alertID, b.alertID), cmp.Compare(a.output, b.output))
	})
	byID := map[string]*alert.Alert{}
	pairs := make([]store.Pair, 0, len(l.leased))
	for _, p := range l.leased {
		a := byID[p.alertID]
		if a == nil {
			var err error
			if a, err = l.s.load(ctx, p.alertID); err != nil {
				return nil, err
			}
			if a == nil {
				return nil, fmt.Errorf("alert %s: leased but not found", p.alertID)
			}
			byID[p.alertID] = a
		}
		pairs = append(pairs, store.Pair{Alert: a, Output: p.output, Attempt: p.attempt,
			Token: l.token, LeasedUntil: time.UnixMicro(l.until).UTC()})
	}
	return pairs, nil
}

// Record stores attempt results; see store.Queue. Each outcome is one
// conditional update: Sent applies whatever the lease to a pair not sent
// yet, so the first sent time is kept; the failures apply only under the
// lease they were attempted with. An outcome whose condition fails (a stale
// lease, a pair pruned meanwhile) is ignored.
func (s *Store) Record(ctx context.Context, outcomes ...store.Outcome) error {
	for _, o := range outcomes {
		if o.AlertID == "" || o.Output == "" || o.Result < store.Sent || o.Result > store.Release {
			return fmt.Errorf("store: record outcomes: %w",
				invalidf("outcome %q for %s/%s is incomplete", o.Result, o.AlertID, o.Output))
		}
	}
	for _, o := range outcomes {
		if err := s.record(ctx, o); err != nil {
			return wrap("record outcomes", fmt.Errorf("alert %s output %s: %w", o.AlertID, o.Output, err))
		}
	}
	return nil
}

// update is one conditional update of a delivery item.
type update struct {
	set, remove, cond string
	values            item
}

func (s *Store) record(ctx context.Context, o store.Outcome) error {
	leaseEnd := "#LeaseUntil, #LeaseToken"
	underLease := "#Status = :pending AND #LeaseToken = :token"
	held := item{":pending": avS(string(alert.Pending)), ":token": avN(o.Token)}
	next := micros(o.NextAttempt)
	due := func(v item) item {
		v[":next"], v[":key"], v[":part"] = avN(next), avS(timeKey(next, o.AlertID, o.Output)), avS(duePart)
		return v
	}
	switch o.Result {
	case store.Sent:
		return s.apply(ctx, o, update{set: "#Status = :sent, #SentAt = :at",
			remove: leaseEnd + ", #DuePart, #DueKey", cond: "attribute_exists(#AlertID) AND #Status <> :sent",
			values: item{":sent": avS(string(alert.Sent)), ":at": avN(cmp.Or(o.At, time.Now()).UnixMicro())}})
	case store.GiveUp:
		return s.apply(ctx, o, update{set: "#Status = :failed", remove: leaseEnd + ", #DuePart, #DueKey",
			cond: underLease, values: with(held, ":failed", avS(string(alert.Failed)))}.withError(cmp.Or(o.Error, "given up")))
	case store.Release:
		return s.apply(ctx, o, update{set: "#Attempts = #Attempts - :one, #NextAttempt = :next, #DuePart = :part, #DueKey = :key",
			remove: leaseEnd, cond: underLease + " AND #Attempts > :zero",
			values: due(with(with(held, ":one", avN(1)), ":zero", avN(0)))}.withError(o.Error))
	}
	// Retry: pending again while inside the budget, failed once it is spent.
	budget := avN(int64(s.maxAttempts))
	err := s.apply(ctx, o, update{set: "#NextAttempt = :next, #DuePart = :part, #DueKey = :key",
		remove: leaseEnd, cond: underLease + " AND #Attempts < :budget",
		values: due(with(held, ":budget", budget))}.withError(o.Error))
	if !conditionFailed(err) {
		return err
	}
	exhausted := fmt.Sprintf("attempt budget of %d exhausted; last error: %s", s.maxAttempts, o.Error)
	err = s.apply(ctx, o, update{set: "#Status = :failed, #NextAttempt = :next",
		remove: leaseEnd + ", #DuePart, #DueKey", cond: underLease + " AND #Attempts >= :budget",
		values: with(with(with(held, ":budget", budget), ":failed", avS(string(alert.Failed))), ":next", avN(next))}.
		withError(exhausted))
	if conditionFailed(err) {
		return nil // a stale lease, or a pair pruned meanwhile
	}
	return err
}

func with(v item, name string, av types.AttributeValue) item {
	out := make(item, len(v)+1)
	for k, x := range v {
		out[k] = x
	}
	out[name] = av
	return out
}

// withError sets the delivery's error, or removes it when msg is empty:
// the item keeps no empty strings.
func (u update) withError(msg string) update {
	if msg == "" {
		u.remove += ", #Error"
		return u
	}
	u.set += ", #Error = :err"
	u.values = with(u.values, ":err", avS(msg))
	return u
}

// apply runs u on o's delivery; a failed condition is no error here, but
// is reported to the caller through conditionFailed on a Retry's first try.
func (s *Store) apply(ctx context.Context, o store.Outcome, u update) error {
	expr := "SET " + u.set
	if u.remove != "" {
		expr += " REMOVE " + strings.TrimPrefix(u.remove, ", ")
	}
	_, err := s.db.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: &s.tables.Alerts,
		Key: deliveryKey(o.AlertID, o.Output), UpdateExpression: &expr, ConditionExpression: &u.cond,
		ExpressionAttributeNames: names(expr, u.cond), ExpressionAttributeValues: u.values})
	if conditionFailed(err) && o.Result != store.Retry {
		return nil
	}
	return err
}
