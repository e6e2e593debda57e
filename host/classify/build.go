package classify

import (
	"github.com/streamalert-go/sa/host/classify/rawjson"
	"github.com/streamalert-go/sa/host/config"
)

// build writes a record that passed its schema as one line of JSON: its
// members in input order (duplicates resolved, values converted), the
// envelope, defaults for absent optional keys, and normalization. spaced
// says the input had whitespace, which the copy drops.
func (w *worker) build(c *Classifier, s *schema, raw []byte, spaced bool, env []byte) checked {
	lv := &w.lv
	dst := make([]byte, 0, len(raw)+len(env)+s.extra)
	dst = append(dst, '{')
	for i, m := range lv.members {
		if lv.field[i] == dropped {
			continue
		}
		dst = appendMember(dst, len(dst) > 1, m.Key, m.Value, spaced)
	}
	if env != nil {
		dst = appendMember(dst, len(dst) > 1, []byte(`"`+envelopeKey+`"`), env, false)
	}
	dst = appendDefaults(dst, s.fields, lv.slot, len(dst) > 1)
	var out checked
	if s.norm != nil || s.v1.types != nil {
		// Normalization reads the finished record, so it is built from a
		// closed copy and appended after.
		view := append(dst, '}')
		w.norm = w.norm[:0]
		if s.norm != nil {
			w.norm = appendNormV2(w.norm, view, s.norm, c.newID, &out.norm)
		}
		if s.v1.types != nil {
			if len(w.norm) > 0 {
				w.norm = append(w.norm, ',')
			}
			w.norm, w.found = appendNormV1(w.norm, w.found[:0], view, s.v1, &out.norm)
		}
		dst = dst[:len(view)-1]
		if len(dst) > 1 {
			dst = append(dst, ',')
		}
		dst = append(dst, w.norm...)
	}
	out.data = append(dst, '}')
	return out
}

// appendDefaults writes StreamAlert's default for each optional field
// without a slot, in the order the configuration lists them.
func appendDefaults(dst []byte, fs *fieldSet, slot []int, comma bool) []byte {
	for _, f := range fs.optOrder {
		if slot[f] >= 0 {
			continue
		}
		if comma {
			dst = append(dst, ',')
		}
		comma = true
		dst = append(dst, fs.member[f]...)
	}
	return dst
}

// appendDefault writes the default value of a type: "", 0, 0.0, false, []
// and {}. An object type with keys gets an object of their defaults, where
// StreamAlert gives {} (see keys.go: such a default record passes its own
// schema).
func appendDefault(dst []byte, t config.Type) []byte {
	switch t.Kind {
	case config.KindString:
		return append(dst, `""`...)
	case config.KindInteger:
		return append(dst, '0')
	case config.KindFloat:
		return append(dst, "0.0"...)
	case config.KindBoolean:
		return append(dst, "false"...)
	case config.KindList:
		return append(dst, "[]"...)
	}
	dst = append(dst, '{')
	for i, f := range t.Fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = rawjson.AppendQuote(dst, f.Name)
		dst = append(dst, ':')
		dst = appendDefault(dst, f.Type)
	}
	return append(dst, '}')
}
