package merge

import (
	"time"

	"github.com/streamalert-go/sa/host/alert"
)

// MaxGroup is the most alerts one merged alert replaces: StreamAlert's
// MAX_ALERTS_PER_GROUP, which bounds the merged record.
const MaxGroup = 50

// group is a merge group: alerts[0] is its anchor, the oldest.
type group struct {
	key    string
	alerts []*alert.Alert
}

// accepts is StreamAlert's AlertMergeGroup.add test, given a's merge key:
// room left, and a can merge with the anchor. Candidates come oldest first,
// so a is never older than the anchor and only the anchor's window counts.
func (g *group) accepts(a *alert.Alert, key string, max int) bool {
	anchor := g.alerts[0]
	return len(g.alerts) < max && key == g.key &&
		!a.Created.After(anchor.Created.Add(anchor.MergeWindow))
}

// plan is StreamAlert's _merge_groups over one rule's candidates, oldest
// first: it returns the groups in the order they were started, and whether
// it stopped at a candidate whose window has not passed, leaving it and
// every later one to wait.
//
// alert.CanMerge parses both records on every call; plan computes each
// candidate's merge key once and offers it only to the groups of that key,
// which is the same test (equal merge keys imply the same rule, the same
// key set and equal values) at a cost linear in the candidates.
func plan(cands []*alert.Alert, now time.Time, max int) (groups []*group, stopped bool) {
	open := map[string][]*group{} // groups of a key with room left, oldest first
	for _, a := range cands {
		key := mergeKey(a)
		if g := firstAccepting(open[key], a, key, max); g != nil {
			g.alerts = append(g.alerts, a)
			if len(g.alerts) >= max {
				open[key] = remove(open[key], g)
			}
			continue
		}
		if now.Before(a.Created.Add(a.MergeWindow)) {
			return groups, true
		}
		g := &group{key: key, alerts: []*alert.Alert{a}}
		groups = append(groups, g)
		if max > 1 {
			open[key] = append(open[key], g)
		}
	}
	return groups, false
}

func firstAccepting(gs []*group, a *alert.Alert, key string, max int) *group {
	for _, g := range gs {
		if g.accepts(a, key, max) {
			return g
		}
	}
	return nil
}

func remove(gs []*group, g *group) []*group {
	for i, o := range gs {
		if o == g {
			return append(gs[:i:i], gs[i+1:]...)
		}
	}
	return gs
}

// mergeKey is the alert's merge key, or a key no other alert has when its
// record cannot be read: CanMerge would refuse every pairing of it, so it
// can only ever be merged alone.
func mergeKey(a *alert.Alert) string {
	if !a.MergeEnabled() {
		return "\x00unmergeable:" + a.ID
	}
	k, err := a.MergeKey()
	if err != nil {
		return "\x00unreadable:" + a.ID
	}
	return a.RuleName + "\x00" + k
}

// complete reports whether no alert after the last candidate of a full
// batch can still join g: g is full, or the last candidate was already
// created after the anchor's window. Alerts after the batch are no older
// than the last candidate, so neither can they.
func (g *group) complete(last *alert.Alert, max int) bool {
	anchor := g.alerts[0]
	return len(g.alerts) >= max || last.Created.After(anchor.Created.Add(anchor.MergeWindow))
}
