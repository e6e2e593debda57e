package classify

import (
	"fmt"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// maxReason bounds a reason taken from a parser, which may be a plugin
// from anywhere.
const maxReason = 1000

// take applies schema si to the parse result of record i. As in
// StreamAlert, the schema claims the record when at least one extracted
// record passes; the ones that fail it are then rejected for good (a
// partial failure), not tried against later schemas. It reports whether
// the schema claimed the record.
func (r *run) take(si, i int, pr saplugin.ParseResult) bool {
	s := r.schemas[si]
	if pr.Err != "" || len(pr.Candidates) == 0 {
		why := pr.Err
		if why == "" {
			why = "the parser found no records"
		}
		r.notes[i] = append(r.notes[i], note{si, clip(why, maxReason)})
		return false
	}
	var recs []Record
	var rejected []Rejection
	for j, cand := range pr.Candidates {
		if len(cand.Record) == 0 {
			why := clip(cand.Err, maxReason)
			if why == "" {
				why = rejectedElement(j)
			}
			rejected = append(rejected, Rejection{Index: j, Reason: why})
			continue
		}
		ck, why := r.w.check(r.c, s, cand)
		if why != "" {
			rejected = append(rejected, Rejection{Index: j, Reason: why})
			continue
		}
		recs = append(recs, Record{
			LogType: s.name, Parser: s.parser, Source: r.src, Cluster: r.cluster, Index: j,
			Data: ck.data, Normalized: ck.norm,
		})
	}
	if len(recs) == 0 {
		r.notes[i] = append(r.notes[i], note{si, summarize(rejected)})
		return false
	}
	r.results[i].Records = recs
	if len(rejected) > 0 {
		f := r.c.failure(r.src, r.cluster, r.records[i], r.attempts(i, si))
		f.LogType, f.Rejected = s.name, rejected
		r.results[i].Failure = f
	}
	return true
}

// summarize says why none of a raw record's extracted records passed.
func summarize(rejected []Rejection) string {
	if len(rejected) == 1 {
		return rejected[0].Reason
	}
	return fmt.Sprintf("all %d extracted records invalid; record %d: %s", len(rejected), rejected[0].Index+1, rejected[0].Reason)
}

// attempts lists, for record i, the reason each schema before schema upTo
// did not match.
func (r *run) attempts(i, upTo int) []Attempt {
	out := make([]Attempt, 0, upTo)
	notes := r.notes[i]
	for si := range upTo {
		why := ""
		if len(notes) > 0 && notes[0].schema == si {
			why, notes = notes[0].reason, notes[1:]
		} else if r.docs != nil {
			why = r.schemas[si].pre.reason(&r.docs[i], true)
		}
		if why == "" {
			why = "not tried" // cannot happen: every schema before upTo was asked or prefiltered
		}
		out = append(out, Attempt{LogType: r.schemas[si].name, Reason: why})
	}
	return out
}
