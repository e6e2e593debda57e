package historical

import (
	"errors"
	"fmt"

	"github.com/streamalert-go/sa/host/classify/rawjson"
)

// AppendRecord appends the Firehose form of rec, a JSON object, to dst:
// compact, with the keys of the object and of every object nested in it
// through objects sanitized (see Sanitize), and the elements of lists left
// as they are, as StreamAlert's sanitize_keys. When two keys of one object
// sanitize to the same name, the later value is kept at the earlier
// position, as Python's dict kept it. Values, and the order of keys, are
// unchanged. It does not append the newline that ends a Firehose record.
func AppendRecord(dst, rec []byte) ([]byte, error) {
	if err := rawjson.Validate(rec, rawjson.DefaultMaxDepth); err != nil {
		return dst, fmt.Errorf("record: %w", err)
	}
	if rawjson.KindOf(rec) != rawjson.Object {
		return dst, errors.New("record: not a JSON object")
	}
	return appendObject(dst, rec), nil
}

// member is one member of an object with its key sanitized.
type member struct {
	name string
	val  []byte
}

// appendObject appends the validated object obj with its keys sanitized.
func appendObject(dst, obj []byte) []byte {
	var ms []member
	changed := false
	for k, v := range rawjson.Members(obj) {
		raw := rawjson.Unquote(k)
		name := Sanitize(raw)
		changed = changed || name != raw
		ms = append(ms, member{name, v})
	}
	if changed {
		ms = dedupe(ms)
	}
	dst = append(dst, '{')
	for i, m := range ms {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(rawjson.AppendQuote(dst, m.name), ':')
		if rawjson.KindOf(m.val) == rawjson.Object {
			dst = appendObject(dst, m.val)
		} else {
			dst = rawjson.AppendCompact(dst, m.val)
		}
	}
	return append(dst, '}')
}

// dedupe merges members whose names collided: the last value at the
// first position.
func dedupe(ms []member) []member {
	at := make(map[string]int, len(ms))
	out := ms[:0]
	for _, m := range ms {
		if i, ok := at[m.name]; ok {
			out[i].val = m.val
			continue
		}
		at[m.name] = len(out)
		out = append(out, m)
	}
	return out
}
