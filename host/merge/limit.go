package merge

import (
	"bytes"
	"cmp"
	"slices"
)

// Keys the cap adds to a merged record it had to shorten. They sort after
// the member they describe, keeping StreamAlert's alphabetical layout.
const (
	omittedCommon = "OtherCommonKeysOmitted"
	omittedDiffs  = "ValueDiffsOmitted"
)

// encode writes the merged record, shortened to at most max bytes when max
// is positive. The header (count, times, MergedBy) is always kept whole:
// it is small unless a merge key's value is huge, and then that value came
// from a record the store took, so the result stays bounded.
//
// ValueDiffs is cut first, keeping the entries of the oldest alerts: the
// per-alert detail is what grows with the group. Only if the record is too
// large without any of it are OtherCommonKeys' largest members dropped,
// since the common part is what the merged alert is read for.
func (m *merged) encode(max int) []byte {
	full := m.members(m.common, m.diffs.members, nil, 0)
	if max <= 0 || objectSize(full) <= max {
		return encodeObject(full)
	}
	keep := m.fitDiffs(max)
	if keep > 0 || objectSize(m.members(m.common, nil, nil, len(m.diffs.members))) <= max {
		return encodeObject(m.members(m.common, m.diffs.members[:keep], nil, len(m.diffs.members)-keep))
	}
	common, dropped := m.fitCommon(max)
	return encodeObject(m.members(common, nil, dropped, len(m.diffs.members)))
}

// members lays out the record with the given common part, diff entries,
// and omission markers (none when dropped is nil and omitted is zero).
func (m *merged) members(common *node, diffs []member, dropped []string, omitted int) []member {
	ms := append(m.header(), member{"OtherCommonKeys", common})
	if dropped != nil {
		ms = append(ms, member{omittedCommon, mustRaw(dropped)})
	}
	ds := newObject()
	for _, d := range diffs {
		ds.set(d.key, d.val)
	}
	ms = append(ms, member{"ValueDiffs", ds})
	if omitted > 0 {
		ms = append(ms, member{omittedDiffs, mustRaw(omitted)})
	}
	return ms
}

// fitDiffs returns how many leading diff entries fit within max. The size
// grows with the count, so a binary search finds the largest that fits.
func (m *merged) fitDiffs(max int) int {
	n := len(m.diffs.members)
	fits := func(k int) bool {
		return objectSize(m.members(m.common, m.diffs.members[:k], nil, n-k)) <= max
	}
	lo, hi := 0, n // fits(lo) is unknown only for lo = 0, which callers check
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fits(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// fitCommon drops OtherCommonKeys' members, largest first, until the record
// without diffs fits within max or nothing is left to drop, and returns
// what remains and the dropped keys in the order they were dropped.
func (m *merged) fitCommon(max int) (*node, []string) {
	type sized struct {
		i, size int
	}
	all := m.common.members
	order := make([]sized, len(all))
	for i, mb := range all {
		order[i] = sized{i, memberSize(mb)}
	}
	slices.SortStableFunc(order, func(a, b sized) int { return cmp.Compare(b.size, a.size) })
	gone := map[int]bool{}
	dropped := []string{}
	rest := func() *node {
		out := newObject()
		for i, mb := range all {
			if !gone[i] {
				out.set(mb.key, mb.val)
			}
		}
		return out
	}
	for _, s := range order {
		if objectSize(m.members(rest(), nil, dropped, len(m.diffs.members))) <= max {
			break
		}
		gone[s.i] = true
		dropped = append(dropped, all[s.i].key)
	}
	return rest(), dropped
}

func encodeObject(ms []member) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, mb := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		encodeMember(&b, mb)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// objectSize is len(encodeObject(ms)), computed from the members' sizes.
func objectSize(ms []member) int {
	n := 2 + max(0, len(ms)-1)
	for _, mb := range ms {
		n += memberSize(mb)
	}
	return n
}

func memberSize(mb member) int { return len(quote(mb.key)) + 1 + mb.val.size() }
