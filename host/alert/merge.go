package alert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// MergeEnabled reports whether the alert waits to be merged: its rule named
// merge keys and a window, both required (StreamAlert's merge_enabled).
func (a *Alert) MergeEnabled() bool {
	return len(a.MergeByKeys) > 0 && a.MergeWindow > 0
}

// CanMerge reports whether a and b may be in one merge group, following
// StreamAlert's can_merge: both wait to be merged, the newer was created
// within the older one's window (inclusive), they merge by the same set of
// keys, and every key has the same value in both records, found at any depth
// (a key missing from both counts as equal). sa also requires the same rule,
// which StreamAlert got for free by merging one rule at a time.
func (a *Alert) CanMerge(b *Alert) bool {
	if a.RuleName != b.RuleName || !a.MergeEnabled() || !b.MergeEnabled() {
		return false
	}
	older, newer := a, b
	if b.Created.Before(a.Created) {
		older, newer = b, a
	}
	if newer.Created.After(older.Created.Add(older.MergeWindow)) {
		return false
	}
	ka, err := a.MergeKey()
	if err != nil {
		return false
	}
	kb, err := b.MergeKey()
	return err == nil && ka == kb
}

// MergeValues returns, for each merge key, the canonical JSON of the first
// value found for it in the record ("null" when it is missing). Two alerts
// whose values are equal as JSON get equal bytes here, whatever their key
// order or number spelling.
func (a *Alert) MergeValues() (map[string]json.RawMessage, error) {
	out := make(map[string]json.RawMessage, len(a.MergeByKeys))
	for _, k := range a.MergeByKeys {
		v, ok, err := FirstKey(a.Record, k)
		if err != nil {
			return nil, fmt.Errorf("alert %s: merge key %q: %w", a.ID, k, err)
		}
		if !ok {
			out[k] = json.RawMessage("null")
			continue
		}
		if out[k], err = Canonical(v); err != nil {
			return nil, fmt.Errorf("alert %s: merge key %q: %w", a.ID, k, err)
		}
	}
	return out, nil
}

// MergeKey is one string for the merge keys and their values: alerts of the
// same rule with equal merge keys are the ones [Alert.CanMerge] may group
// (the window aside). A merger can compute it once per alert and group by it.
func (a *Alert) MergeKey() (string, error) {
	vals, err := a.MergeValues()
	if err != nil {
		return "", err
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(&b, k)
		b.WriteByte(':')
		b.Write(vals[k])
	}
	b.WriteByte('}')
	return b.String(), nil
}
