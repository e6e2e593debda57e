package dynamodb

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamalert-go/sa/host/alert"
)

// Attribute and index names; see the package documentation.
const (
	attrID          = "AlertID"
	attrItem        = "Item"
	attrRule        = "RuleName"
	attrBody        = "Body"
	attrCreated     = "Created"
	attrStaged      = "Staged"
	attrMergedInto  = "MergedInto"
	attrMergeKey    = "MergeKey"
	attrListPart    = "ListPart"
	attrListKey     = "ListKey"
	attrOutput      = "Output"
	attrStatus      = "Status"
	attrAttempts    = "Attempts"
	attrLastAttempt = "LastAttempt"
	attrNextAttempt = "NextAttempt"
	attrLeaseUntil  = "LeaseUntil"
	attrLeaseToken  = "LeaseToken"
	attrSentAt      = "SentAt"
	attrError       = "Error"
	attrDuePart     = "DuePart"
	attrDueKey      = "DueKey"
	attrStateKey    = "Key"
	attrStateValue  = "Value"
	attrUpdated     = "Updated"

	indexMerge = "merge"
	indexDue   = "due"
	indexList  = "list"

	itemAlert      = "alert"
	deliveryPrefix = "out#"
	listPart       = "alerts"
	duePart        = "due"
)

type item = map[string]types.AttributeValue

func avS(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func avN(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}
func avB(v bool) types.AttributeValue { return &types.AttributeValueMemberBOOL{Value: v} }

func getS(it item, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func getN(it item, name string) int64 {
	if v, ok := it[name].(*types.AttributeValueMemberN); ok {
		n, _ := strconv.ParseInt(v.Value, 10, 64)
		return n
	}
	return 0
}

func getBool(it item, name string) bool {
	v, ok := it[name].(*types.AttributeValueMemberBOOL)
	return ok && v.Value
}

// timeKey is an index sort key: the time padded so byte order is time
// order, then the parts that make it unique.
func timeKey(micros int64, parts ...string) string {
	return fmt.Sprintf("%020d", max(micros, 0)) + "#" + strings.Join(parts, "#")
}

// micros is t as Unix microseconds, 0 for the zero time ("at once").
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.UnixMicro(n).UTC()
}

func alertKey(id string) item { return item{attrID: avS(id), attrItem: avS(itemAlert)} }

func deliveryKey(id, output string) item {
	return item{attrID: avS(id), attrItem: avS(deliveryPrefix + output)}
}

// alertItem is the alert item of a valid alert.
func alertItem(a *alert.Alert) (item, error) {
	body, err := a.Payload()
	if err != nil {
		return nil, err
	}
	created := a.Created.UnixMicro()
	it := item{
		attrID: avS(a.ID), attrItem: avS(itemAlert), attrRule: avS(a.RuleName), attrBody: avS(string(body)),
		attrCreated: avN(created), attrStaged: avB(a.Staged),
		attrListPart: avS(listPart), attrListKey: avS(timeKey(created, a.ID)),
	}
	switch {
	case a.MergedInto != "":
		it[attrMergedInto] = avS(a.MergedInto)
	case a.MergeEnabled():
		it[attrMergeKey] = avS(timeKey(created, a.ID))
	}
	return it, nil
}

// deliveryItem is a new delivery item. Leases are not carried over: a new
// item is nobody's yet.
func deliveryItem(id string, d alert.Delivery) item {
	next := micros(d.NextAttempt)
	it := item{
		attrID: avS(id), attrItem: avS(deliveryPrefix + d.Output), attrOutput: avS(d.Output),
		attrStatus: avS(string(d.Status)), attrAttempts: avN(int64(d.Attempts)), attrNextAttempt: avN(next),
	}
	if !d.LastAttempt.IsZero() {
		it[attrLastAttempt] = avN(d.LastAttempt.UnixMicro())
	}
	if !d.SentAt.IsZero() {
		it[attrSentAt] = avN(d.SentAt.UnixMicro())
	}
	if d.Error != "" {
		it[attrError] = avS(d.Error)
	}
	if d.Status == alert.Pending {
		it[attrDuePart], it[attrDueKey] = avS(duePart), avS(timeKey(next, id, d.Output))
	}
	return it
}

// decodeAlert builds an alert from the items of its partition, in range
// key order ("alert" sorts before "out#..."). It returns nil if the alert
// item is absent. A held delivery of an alert merged into another is
// reported as merged: MergedInto is what handed it over.
func decodeAlert(items []item) (*alert.Alert, error) {
	if len(items) == 0 || getS(items[0], attrItem) != itemAlert {
		return nil, nil
	}
	head := items[0]
	id := getS(head, attrID)
	a := new(alert.Alert)
	if err := json.Unmarshal([]byte(getS(head, attrBody)), a); err != nil {
		return nil, fmt.Errorf("alert %s: stored body: %w", id, err)
	}
	a.MergedInto = getS(head, attrMergedInto)
	for _, it := range items[1:] {
		d := alert.Delivery{
			Output: getS(it, attrOutput), Status: alert.Status(getS(it, attrStatus)),
			Attempts: int(getN(it, attrAttempts)), LastAttempt: fromMicros(getN(it, attrLastAttempt)),
			NextAttempt: fromMicros(getN(it, attrNextAttempt)), LeasedUntil: fromMicros(getN(it, attrLeaseUntil)),
			SentAt: fromMicros(getN(it, attrSentAt)), Error: getS(it, attrError),
		}
		if d.Status == alert.Held && a.MergedInto != "" {
			d.Status = alert.Merged
		}
		a.Deliveries = append(a.Deliveries, d)
	}
	return a, nil
}

// placeholder matches the #Name attribute placeholders of an expression.
var placeholder = regexp.MustCompile(`#[A-Za-z]+`)

// names maps every #Name placeholder in exprs to Name. Every attribute is
// written as a placeholder, so that none can clash with DynamoDB's reserved
// words (Status and Key are reserved), and DynamoDB refuses names an
// expression does not use, so the map is built from the expressions.
func names(exprs ...string) map[string]string {
	out := map[string]string{}
	for _, e := range exprs {
		for _, p := range placeholder.FindAllString(e, -1) {
			out[p] = p[1:]
		}
	}
	return out
}
