package config

// LogPattern is one entry of a schema's log_patterns.
//
// StreamAlert (ParserBase._matches_log_patterns) walks the entries in file
// order: a leaf entry passes when the record's string value under Key
// matches any of Globs (Python fnmatch, case-sensitive), and leaf results
// are ANDed; but a Nested entry, or one keyed "streamalert:envelope_keys",
// returns its own result at once, so its siblings do not count. The order
// is kept so the classifier can decide whether to reproduce that, and the
// loader warns where it changes the outcome.
type LogPattern struct {
	Key    string
	Globs  []string     // leaf: any-of globs; a single string in the file becomes one glob
	Nested []LogPattern // patterns on the object under Key, or on the envelope
}

// logPatterns decodes the log_patterns object n and checks each key
// against the records of s; path is the record path n applies to (nil for
// the top level).
// check is false below a key that was already reported, so one mistake is
// one problem.
func (f *file) logPatterns(s *Schema, n *node, p jpath, path []string, check bool) []LogPattern {
	if !f.want(n, p, kindObject) {
		return nil
	}
	out := make([]LogPattern, 0, len(n.members))
	for _, m := range n.members {
		mp := p.key(m.key)
		sub := append(path[:len(path):len(path)], m.key)
		lp := LogPattern{Key: m.key}
		ok := !check || f.checkPatternKey(s, m, mp, sub, m.val.kind == kindObject)
		switch m.val.kind {
		case kindString:
			lp.Globs = []string{m.val.text}
		case kindArray:
			lp.Globs = f.strs(m.val, mp)
			if len(m.val.elems) == 0 {
				f.errorf(m.val, mp, "an empty pattern list never matches")
			}
		case kindObject:
			lp.Nested = f.logPatterns(s, m.val, mp, sub, ok)
			if len(n.members) > 1 {
				f.warnf(m.val, mp, "StreamAlert decides on a nested pattern alone and ignores the other entries of this object; put each constraint in its own schema or nest them all")
			}
		default:
			f.errorf(m.val, mp, "want a glob, a list of globs or an object of patterns, got %s", m.val.kind)
			continue
		}
		out = append(out, lp)
	}
	return out
}

// checkPatternKey checks that records of s can have path and that its
// value is something a pattern applies to: a string for globs (fnmatch
// raises on anything else), an object for nested patterns.
func (f *file) checkPatternKey(s *Schema, m member, p jpath, path []string, nested bool) bool {
	t, known, msg := resolve(s, path)
	switch {
	case msg != "":
		f.patternKeyMissing(s, m, p, path, msg)
	case !known || t.Open() || t.Kind == 0:
		return true
	case nested && t.Kind != KindObject:
		f.report(SeverityError, m.keyOff, p, "nested patterns need an object, but %q is %s", m.key, t)
	case !nested && t.Kind != KindString:
		f.report(SeverityError, m.keyOff, p, "patterns match strings only, but %q is %s", m.key, t)
	default:
		return true
	}
	return false
}

// patternKeyMissing reports a pattern key absent from the schema at its
// level. When the key exists deeper in the schema the problem is only a
// warning: StreamAlert loads such a schema and it simply never matches,
// and its own shipped pan schema does exactly this (log_patterns "type",
// a column of the nested "message"), so refusing it would refuse
// StreamAlert's stock conf.
func (f *file) patternKeyMissing(s *Schema, m member, p jpath, path []string, msg string) {
	if path[0] != envelopeKey {
		if at, ok := findKey(s.Fields, m.key, ""); ok {
			f.report(SeverityWarning, m.keyOff, p, "%s; it exists as %s, but StreamAlert matches patterns at the level they are written, so this pattern never matches",
				msg, at)
			return
		}
	}
	f.report(SeverityError, m.keyOff, p, "%s", msg)
}
