package config

import (
	"fmt"
	"strings"
)

// envelopeKey is the record key StreamAlert stores envelope values under;
// log_patterns and normalization paths may start with it.
const envelopeKey = "streamalert:envelope_keys"

// resolve follows path through the schema s as a record of s would be
// shaped after parsing. It returns the type at the end of the path and
// known=false when the path went through {} (whose contents nothing
// constrains), or a message saying why no record can have the path.
func resolve(s *Schema, path []string) (t Type, known bool, msg string) {
	t = Type{Kind: KindObject, Fields: s.Fields}
	for i, key := range path {
		if i == 0 && key == envelopeKey {
			if len(s.Options.EnvelopeKeys) == 0 {
				return t, false, "the schema has no envelope_keys"
			}
			t = Type{Kind: KindObject, Fields: s.Options.EnvelopeKeys}
			continue
		}
		if t.Open() || t.Kind == 0 { // anything, or a type already reported
			return t, false, ""
		}
		if t.Kind != KindObject {
			return t, false, fmt.Sprintf("%q is %s, not an object", path[i-1], t)
		}
		f, ok := field(t.Fields, key)
		if !ok {
			return t, false, fmt.Sprintf("the schema has no key %q at %s", key, levelName(path[:i]))
		}
		t = f.Type
	}
	return t, true, ""
}

// findKey returns the dotted path of the first field called key anywhere
// in fs, depth first, for hints when a key is looked for at the wrong
// level.
func findKey(fs []Field, key string, prefix jpath) (jpath, bool) {
	for _, f := range fs {
		if f.Name == key {
			return prefix.key(key), true
		}
		if f.Type.Kind == KindObject {
			if p, ok := findKey(f.Type.Fields, key, prefix.key(f.Name)); ok {
				return p, true
			}
		}
	}
	return "", false
}

// checkPath reports a normalization or condition path no record of s can
// have. Such a path silently never matches in StreamAlert; here it is an
// error, since it is certainly a typo or a stale schema.
func (f *file) checkPath(s *Schema, n *node, p jpath, path []string) {
	if _, _, msg := resolve(s, path); msg != "" {
		f.errorf(n, p, "path %v cannot occur in a %s record: %s", path, s.Name, msg)
	}
}

// levelName names the object a path prefix leads to, for messages.
func levelName(prefix []string) string {
	if len(prefix) == 0 {
		return "the top level"
	}
	return strings.Join(prefix, ".")
}
