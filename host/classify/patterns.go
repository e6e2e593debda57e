package classify

import (
	"fmt"
	"strings"

	"github.com/streamalert-go/sa/host/classify/rawjson"
	"github.com/streamalert-go/sa/host/config"
)

// Log patterns follow StreamAlert's _matches_log_patterns — each entry
// passes when the value under its key matches any of its globs, and the
// record must pass every entry; an entry keyed "streamalert:envelope_keys"
// applies its nested patterns to the envelope, and an object of patterns
// applies them to the object under the key — with three deliberate
// differences. StreamAlert returns the result of the first nested or
// envelope entry at once, ignoring the entries around it; sa requires them
// all (the config loader warns where the two differ). A value that is not
// a string fails its entry, where Python's fnmatch raised. A nested entry
// whose key is absent fails, where Python raised KeyError. Patterns see
// the converted record before optional keys are filled in, and the
// envelope after, as in StreamAlert.

const envelopeKey = "streamalert:envelope_keys"

// pattern is one compiled log_patterns entry.
type pattern struct {
	key    string
	globs  []glob
	text   []string // the globs as written, for messages
	nested bool     // an object of patterns: sub applies to the object under key
	sub    []pattern
}

func compilePatterns(lps []config.LogPattern) []pattern {
	if len(lps) == 0 {
		return nil
	}
	out := make([]pattern, len(lps))
	for i, lp := range lps {
		p := pattern{key: lp.Key, text: lp.Globs, nested: lp.Globs == nil, sub: compilePatterns(lp.Nested)}
		for _, g := range lp.Globs {
			p.globs = append(p.globs, compileGlob(g))
		}
		out[i] = p
	}
	return out
}

// lookupFunc returns the value under a key of the object being matched.
type lookupFunc func(key string) ([]byte, bool)

func objectLookup(obj []byte) lookupFunc {
	return func(key string) ([]byte, bool) { return rawjson.Lookup(obj, key) }
}

// matchPatterns returns "" when the record passes every pattern, else why
// not. envelope is the converted envelope object, or nil.
func matchPatterns(ps []pattern, get lookupFunc, envelope []byte, at string) string {
	for i := range ps {
		p := &ps[i]
		name := joinPath(at, p.key)
		if p.key == envelopeKey && at == "" {
			if envelope == nil {
				return "log_patterns: the record has no envelope"
			}
			if why := matchPatterns(p.sub, objectLookup(envelope), nil, envelopeKey); why != "" {
				return why
			}
			continue
		}
		v, ok := get(p.key)
		if !ok {
			return fmt.Sprintf("log_patterns: %s is absent", name)
		}
		if why := p.match(v, name); why != "" {
			return why
		}
	}
	return ""
}

func (p *pattern) match(v []byte, name string) string {
	k := rawjson.KindOf(v)
	if p.nested {
		if k != rawjson.Object {
			return fmt.Sprintf("log_patterns: %s is %s, not an object", name, k)
		}
		return matchPatterns(p.sub, objectLookup(v), nil, name)
	}
	if k != rawjson.String {
		return fmt.Sprintf("log_patterns: %s is %s, not a string", name, k)
	}
	s := rawjson.Unquote(v)
	for _, g := range p.globs {
		if g.match(s) {
			return ""
		}
	}
	return fmt.Sprintf("log_patterns: %s = %s matches none of %s", name, shortValue(v), quoteAll(p.text))
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
