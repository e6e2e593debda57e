package classify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/streamalert-go/sa/host/classify/rawjson"
)

// The key check is StreamAlert's _key_check: at the top level a record's
// keys, with the optional keys added, must equal the schema's (a missing
// required key and an unexpected key both fail); the envelope's keys need
// only include the schema's; a key whose type is an object with keys must
// hold an object with exactly those keys, recursively, with no optional
// ones. One deliberate difference: StreamAlert checks the nested keys of an
// absent optional key against {} and so fails the record, which makes an
// optional key with a nested schema required in practice; sa skips the
// check for an absent optional key.

// level is one object of a record matched to one level of a schema.
type level struct {
	members []rawjson.Member
	field   []int // per member: its field, or -1 (unexpected) or dropped (a duplicate key)
	slot    []int // per field: the member holding it, or -1
	missing int   // required fields absent
	extra   int   // members with no field
}

const dropped = -2

// match matches members to fs. As in Python's json module a key given
// twice keeps its first position and takes its last value.
func (lv *level) match(fs *fieldSet, members []rawjson.Member) {
	lv.members = members
	lv.field = slices.Grow(lv.field[:0], len(members))[:len(members)]
	lv.slot = slices.Grow(lv.slot[:0], len(fs.fields))[:len(fs.fields)]
	for i := range lv.slot {
		lv.slot[i] = -1
	}
	lv.extra = 0
	for i, m := range members {
		f := fs.lookup(m.Key)
		switch {
		case f < 0:
			// Unknown keys fail the record whatever their number, so their
			// duplicates are not looked for (that would be quadratic in a
			// hostile record's size); mismatch reports each name once.
			lv.field[i] = -1
			lv.extra++
		case lv.slot[f] >= 0:
			members[lv.slot[f]].Value = m.Value
			lv.field[i] = dropped
		default:
			lv.field[i] = f
			lv.slot[f] = i
		}
	}
	lv.missing = 0
	for f, at := range lv.slot {
		if at < 0 && !fs.optional[f] {
			lv.missing++
		}
	}
}

// exact reports whether the record's keys are the schema's.
func (lv *level) exact() bool { return lv.missing == 0 && lv.extra == 0 }

// mismatch describes how the keys of lv differ from fs.
func (lv *level) mismatch(fs *fieldSet) string {
	var names []string
	seen := map[string]bool{}
	for i, f := range lv.field {
		if name := lv.members[i].Name(); f == -1 && !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	return describe(fs, lv.slot, names)
}

// exactNames reports whether the distinct names are exactly fs's keys,
// optional ones excused.
func (fs *fieldSet) exactNames(names []string) bool {
	required := 0
	for _, n := range names {
		i, ok := fs.index[n]
		if !ok {
			return false
		}
		if !fs.optional[i] {
			required++
		}
	}
	return required == fs.required
}

// mismatch describes how names differ from fs's keys.
func (fs *fieldSet) mismatch(names []string) string {
	slot := make([]int, len(fs.fields))
	var extra []string
	for i := range slot {
		slot[i] = -1
	}
	for i, n := range names {
		if f, ok := fs.index[n]; ok {
			slot[f] = i
		} else {
			extra = append(extra, n)
		}
	}
	return describe(fs, slot, extra)
}

// describe renders a key mismatch: the required keys without a slot and
// the unexpected names, a few of each.
func describe(fs *fieldSet, slot []int, extra []string) string {
	var missing []string
	for f, at := range slot {
		if at < 0 && !fs.optional[f] {
			missing = append(missing, fs.fields[f].Name)
		}
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "missing "+nameList(missing))
	}
	if len(extra) > 0 {
		parts = append(parts, "unexpected "+nameList(extra))
	}
	return "keys differ from the schema: " + strings.Join(parts, "; ")
}

// nameList quotes up to five names, sorted, and counts the rest.
func nameList(names []string) string {
	names = slices.Clone(names)
	slices.Sort(names)
	const shown = 5
	var b strings.Builder
	for i, n := range names {
		if i == shown {
			fmt.Fprintf(&b, " and %d more", len(names)-shown)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", clipName(n))
	}
	return b.String()
}

// clipName keeps key names in messages short; a hostile record may have
// megabyte keys.
func clipName(n string) string {
	if len(n) <= 64 {
		return n
	}
	return clip(n, 64)
}

// checkNested checks the keys of the nested objects of a matched level,
// recursively. at names the level for messages ("" for the top).
func checkNested(fs *fieldSet, lv *level, at string) string {
	for f, sub := range fs.sub {
		if sub == nil {
			continue
		}
		i := lv.slot[f]
		name := joinPath(at, fs.fields[f].Name)
		if i < 0 {
			continue // absent: required ones were reported; optional ones are excused
		}
		if why := nestedKeys(sub, lv.members[i].Value, name); why != "" {
			return why
		}
	}
	return ""
}

// nestedKeys checks that v is an object with exactly the keys of sub.
func nestedKeys(sub *fieldSet, v []byte, at string) string {
	if k := rawjson.KindOf(v); k != rawjson.Object {
		return fmt.Sprintf("%s is %s, but the schema wants an object with keys %s", at, k, fieldNames(sub))
	}
	var lv level
	var members []rawjson.Member
	for k, val := range rawjson.Members(v) {
		members = append(members, rawjson.Member{Key: k, Value: val})
	}
	lv.match(sub, members)
	if !lv.exact() {
		return at + ": " + lv.mismatch(sub)
	}
	return checkNested(sub, &lv, at)
}

func fieldNames(fs *fieldSet) string {
	names := make([]string, len(fs.fields))
	for i, f := range fs.fields {
		names[i] = f.Name
	}
	return nameList(names)
}

func joinPath(at, name string) string {
	if at == "" {
		return name
	}
	return at + "." + name
}
