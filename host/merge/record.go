package merge

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/streamalert-go/sa/host/alert"
)

// notFound is MergedBy's value for a key the oldest record lacks, as
// StreamAlert writes it.
const notFound = `"(n/a)"`

// merged is a merged record in parts, so that the size cap can drop parts
// without encoding the record again and again.
type merged struct {
	count       int
	first, last time.Time
	mergedBy    *node
	common      *node
	diffs       *node // created time → diff, in the order of the alerts
}

// Merge builds the merged alert of a group, created at now, with its
// record capped at maxRecord bytes (no cap when it is zero or less). The
// group must hold alerts of one rule that can merge, in any order.
func Merge(group []*alert.Alert, now time.Time, maxRecord int) (*alert.Alert, error) {
	if len(group) == 0 {
		return nil, fmt.Errorf("merge: empty group")
	}
	group = sortByCreated(group)
	m, err := build(group)
	if err != nil {
		return nil, fmt.Errorf("merge: rule %s: %w", group[0].RuleName, err)
	}
	first, last := group[0], group[len(group)-1]
	a, err := alert.New(alert.Params{
		RuleName: first.RuleName, RuleDescription: first.RuleDescription,
		Severity: first.Severity, Tags: first.Tags,
		Record: m.encode(maxRecord), Context: first.Context,
		Outputs: last.Outputs, Publishers: first.Publishers,
		Cluster: first.Cluster, LogSource: first.LogSource, LogType: first.LogType,
		SourceService: first.SourceService, SourceEntity: first.SourceEntity,
		Staged:     slices.ContainsFunc(group, func(a *alert.Alert) bool { return a.Staged }),
		MergedFrom: ids(group), Created: now,
	})
	if err != nil {
		return nil, fmt.Errorf("merge: rule %s: %w", first.RuleName, err)
	}
	return a, nil
}

// build computes the parts of the merged record (StreamAlert's
// Alert.merge).
func build(group []*alert.Alert) (*merged, error) {
	keys := map[string]bool{}
	for _, k := range group[0].MergeByKeys {
		keys[k] = true
	}
	recs := make([]*node, len(group))
	for i, a := range group {
		r, err := parse(a.Record)
		if err != nil {
			return nil, fmt.Errorf("alert %s: record: %w", a.ID, err)
		}
		recs[i] = clean(r, keys)
	}
	by, err := mergedBy(group[0])
	if err != nil {
		return nil, err
	}
	m := &merged{count: len(group), first: group[0].Created, last: group[len(group)-1].Created,
		mergedBy: by, common: common(recs), diffs: newObject()}
	for i, a := range group {
		m.diffs.set(a.Created.UTC().Format(alert.TimeLayout), diff(m.common, recs[i]))
	}
	return m, nil
}

// mergedBy maps each merge key, in sorted order, to its first value in the
// oldest alert's record (the uncleaned one), or "(n/a)".
func mergedBy(oldest *alert.Alert) (*node, error) {
	by := newObject()
	for _, k := range oldest.MergeByKeys {
		v, ok, err := alert.FirstKey(oldest.Record, k)
		if err != nil {
			return nil, fmt.Errorf("alert %s: merge key %q: %w", oldest.ID, k, err)
		}
		val := leaf(notFound)
		if ok {
			if val, err = parse(v); err != nil {
				return nil, fmt.Errorf("alert %s: merge key %q: %w", oldest.ID, k, err)
			}
		}
		by.set(k, val)
	}
	return by, nil
}

// header is the record's first members, which the cap never touches.
func (m *merged) header() []member {
	return []member{
		{"AlertCount", leaf(strconv.Itoa(m.count))},
		{"AlertTimeFirst", leaf(string(quote(m.first.UTC().Format(alert.TimeLayout))))},
		{"AlertTimeLast", leaf(string(quote(m.last.UTC().Format(alert.TimeLayout))))},
		{"MergedBy", m.mergedBy},
	}
}

// sortByCreated orders a copy of the group oldest first; alerts created in
// the same microsecond keep the order of their ids, which sort by time.
func sortByCreated(group []*alert.Alert) []*alert.Alert {
	out := slices.Clone(group)
	slices.SortStableFunc(out, func(a, b *alert.Alert) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out
}

func ids(group []*alert.Alert) []string {
	out := make([]string, len(group))
	for i, a := range group {
		out[i] = a.ID
	}
	return out
}

// mustRaw is encoding for values that are JSON by construction.
func mustRaw(v any) *node {
	b, _ := json.Marshal(v)
	return leaf(string(b))
}
