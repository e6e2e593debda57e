package rules

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
)

// compileRule compiles r for each log type it runs on and records the
// results on the loader for indexing. Disabled rules are compiled too, so
// a broken rule cannot hide behind `disabled: true` until someone enables
// it.
func (l *loader) compileRule(e *Engine, r *ruleSpec, en *entry) {
	if l.compiledFor == nil {
		l.compiledFor = map[*ruleSpec]map[string]*compiled{}
	}
	byLog := map[string]*compiled{}
	l.compiledFor[r] = byLog
	add := func(logType, as string) {
		if c, ok := l.c.rule(r, logType); ok {
			c.entry, c.pos = en, len(e.rules)
			byLog[as] = c
		}
	}
	switch {
	case len(r.Logs) == 0:
		add(dynamicLog, dynamicLog)
	case l.opts.Schemas == nil:
		add(dynamicLog, dynamicLog)
		for _, lt := range r.Logs {
			byLog[lt] = byLog[dynamicLog]
		}
		delete(byLog, dynamicLog)
	default:
		for _, lt := range r.Logs {
			if _, known := l.opts.Schemas.Schema(lt); known {
				add(lt, lt)
			}
		}
	}
}

// index builds, for every log type a record can have, the list of rules
// to offer it, so evaluating a record never looks at a rule that cannot
// match it: rules naming the log type, and rules on every log type whose
// datatypes (if any) the log type can carry.
func (l *loader) index(e *Engine) {
	logTypes := map[string]bool{}
	if l.opts.Schemas != nil {
		for _, lt := range l.opts.Schemas.LogTypes() {
			logTypes[lt] = true
		}
	}
	for _, r := range l.rules {
		for _, lt := range r.Logs {
			logTypes[lt] = true
		}
	}
	for _, lt := range slices.Sorted(maps.Keys(logTypes)) {
		var list []*compiled
		for _, r := range l.rules {
			if c := l.candidate(r, lt); c != nil {
				list = append(list, c)
			}
		}
		e.byLog[lt] = newRuleIndex(list)
	}
	var anyLog []*compiled
	for _, r := range l.rules {
		if c := l.compiledFor[r][dynamicLog]; c != nil && !r.Disabled && len(r.Logs) == 0 {
			anyLog = append(anyLog, c)
		}
	}
	e.anyLog = newRuleIndex(anyLog)
}

// candidate returns r's compiled form for records of logType, nil when r
// never runs on them.
func (l *loader) candidate(r *ruleSpec, logType string) *compiled {
	if r.Disabled {
		return nil
	}
	if len(r.Logs) > 0 {
		return l.compiledFor[r][logType]
	}
	if len(r.Datatypes) > 0 && l.opts.Schemas != nil {
		if s, ok := l.opts.Schemas.Schema(logType); ok && !intersects(s.Normalized, r.Datatypes) {
			return nil
		}
	}
	return l.compiledFor[r][dynamicLog]
}

func intersects(a, b []string) bool {
	return slices.ContainsFunc(a, func(s string) bool { return slices.Contains(b, s) })
}

// annotate attaches threat intel matches to the record as
// "streamalert:ioc": {type: [values]}, StreamAlert's key, on a copy of
// data and on the raw record the alert keeps.
func (e *Engine) annotate(data map[string]any, raw json.RawMessage) (map[string]any, json.RawMessage) {
	iocs := e.ti.MatchRecord(data)
	if len(iocs) == 0 {
		return data, raw
	}
	val := make(map[string]any, len(iocs))
	for typ, vals := range iocs {
		l := make([]any, len(vals))
		for i, v := range vals {
			l[i] = v
		}
		val[typ] = l
	}
	out := maps.Clone(data)
	out[keyIOC] = val
	return out, appendMember(raw, keyIOC, iocs)
}

// appendMember adds "key": value at the end of the JSON object raw. An
// empty raw stays empty: the caller passed only decoded data.
func appendMember(raw json.RawMessage, key string, value any) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[len(raw)-1] != '}' {
		return raw
	}
	k, _ := json.Marshal(key)
	v, err := json.Marshal(value)
	if err != nil {
		return raw
	}
	out := make([]byte, 0, len(raw)+len(k)+len(v)+2)
	out = append(out, raw[:len(raw)-1]...)
	if len(bytes.TrimSpace(raw[1:len(raw)-1])) > 0 {
		out = append(out, ',')
	}
	out = append(append(append(out, k...), ':'), v...)
	return append(out, '}')
}
