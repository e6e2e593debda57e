package classify

import (
	"bytes"
	"fmt"

	"github.com/streamalert-go/sa/host/classify/rawjson"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// worker is one goroutine's scratch space, reused from record to record so
// that checking a record allocates little beyond its output.
type worker struct {
	members []rawjson.Member
	lv      level
	norm    []byte    // normalization members being built
	found   []v1Value // v1 values being gathered
	doc     []rawjson.Member
	env     envCache
}

// envCache keeps the last envelope checked: a parser gives every record
// extracted from one raw record the same envelope.
type envCache struct {
	s   *schema
	raw []byte
	out []byte
	why string
}

// checked is a candidate that passed its schema.
type checked struct {
	data []byte
	norm []Normalized
}

// check runs StreamAlert's pipeline on one candidate, in its order:
// envelope, key check, nested keys, type conversion, log patterns; then
// builds the record with envelope, optional keys and normalization. It
// returns the record, or why the schema rejects it.
func (w *worker) check(c *Classifier, s *schema, cand saplugin.Candidate) (checked, string) {
	var env []byte
	if s.envelope != nil {
		var why string
		if env, why = w.envelope(s, cand.Envelope); why != "" {
			return checked{}, why
		}
	}
	members, spaced, err := rawjson.SplitObject(w.members[:0], cand.Record, c.maxDepth)
	w.members = members
	if err != nil {
		return checked{}, "record " + errText(err)
	}
	lv := &w.lv
	lv.match(s.fields, members)
	// A schema without keys takes any object, as StreamAlert's key check
	// passes everything for an empty schema.
	if len(s.fields.fields) > 0 && !lv.exact() {
		return checked{}, lv.mismatch(s.fields)
	}
	if why := checkNested(s.fields, lv, ""); why != "" {
		return checked{}, why
	}
	for i, f := range lv.field {
		if f < 0 {
			continue
		}
		fl := s.fields.fields[f]
		out, why := convert(members[i].Value, fl.Type, s.fields.sub[f], fl.Name)
		if why != "" {
			return checked{}, why
		}
		members[i].Value = out
	}
	if s.patterns != nil {
		if why := matchPatterns(s.patterns, w.fieldLookup(s), env, ""); why != "" {
			return checked{}, why
		}
	}
	return w.build(c, s, cand.Record, spaced, env), ""
}

// fieldLookup finds top-level values of the matched record by name.
func (w *worker) fieldLookup(s *schema) lookupFunc {
	return func(key string) ([]byte, bool) {
		f, ok := s.fields.index[key]
		if !ok || w.lv.slot[f] < 0 {
			return nil, false
		}
		return w.lv.members[w.lv.slot[f]].Value, true
	}
}

// errText renders a rawjson error after a subject: "is an array, not an
// object" or ": invalid JSON at byte 3: ...".
func errText(err error) string {
	if _, ok := err.(*rawjson.KindError); ok {
		return err.Error()
	}
	return "from the parser is not valid JSON: " + err.Error()
}

// envelope checks, converts and completes the envelope object raw (empty
// when the parser found no envelope keys). The result is the envelope to
// attach, nil when it is empty.
func (w *worker) envelope(s *schema, raw []byte) ([]byte, string) {
	if w.env.s == s && bytes.Equal(w.env.raw, raw) && (raw == nil) == (w.env.raw == nil) {
		return w.env.out, w.env.why
	}
	out, why := w.checkEnvelope(s, raw)
	w.env = envCache{s: s, raw: raw, out: out, why: why}
	return out, why
}

func (w *worker) checkEnvelope(s *schema, raw []byte) ([]byte, string) {
	if len(raw) == 0 {
		raw = []byte("{}") // no envelope key found; an empty field through gRPC too
	}
	members, _, err := rawjson.SplitObject(nil, raw, 0)
	if err != nil {
		return nil, "envelope " + errText(err)
	}
	var lv level
	lv.match(s.envelope, members)
	if lv.missing > 0 {
		return nil, "envelope: " + describe(s.envelope, lv.slot, nil)
	}
	if why := checkNested(s.envelope, &lv, envelopeKey); why != "" {
		return nil, why
	}
	for f, at := range lv.slot {
		if at < 0 {
			continue
		}
		fl := s.envelope.fields[f]
		out, why := convert(members[at].Value, fl.Type, s.envelope.sub[f], joinPath(envelopeKey, fl.Name))
		if why != "" {
			return nil, why
		}
		members[at].Value = out
	}
	return appendEnvelope(nil, s.envelope, &lv), ""
}

// appendEnvelope writes the envelope as StreamAlert builds it: the keys
// present in schema order, then defaults for the absent optional ones. It
// returns dst unchanged when the envelope would be empty.
func appendEnvelope(dst []byte, fs *fieldSet, lv *level) []byte {
	start := len(dst)
	dst = append(dst, '{')
	for _, at := range lv.slot {
		if at >= 0 {
			dst = appendMember(dst, len(dst) > start+1, lv.members[at].Key, lv.members[at].Value, true)
		}
	}
	dst = appendDefaults(dst, fs, lv.slot, len(dst) > start+1)
	if len(dst) == start+1 {
		return dst[:start]
	}
	return append(dst, '}')
}

// appendMember writes key:value, after a ',' unless first; compact copies
// the value without whitespace.
func appendMember(dst []byte, comma bool, key, val []byte, compact bool) []byte {
	if comma {
		dst = append(dst, ',')
	}
	dst = append(dst, key...)
	dst = append(dst, ':')
	if compact {
		return rawjson.AppendCompact(dst, val)
	}
	return append(dst, val...)
}

// clip cuts s to about n bytes at a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// rejectedElement is the reason for a candidate the parser rejected.
func rejectedElement(j int) string {
	return fmt.Sprintf("the parser rejected extracted record %d", j+1)
}
