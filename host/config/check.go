package config

import "strings"

// crossCheck runs the checks that need more than one file.
func (l *loader) crossCheck() {
	l.checkSources()
	l.checkThreatIntel()
	l.checkFirehoseLogs()
}

// logNames indexes the loaded schemas by family and by full name.
func (l *loader) logNames() (families map[string]bool, names map[string]bool) {
	families, names = map[string]bool{}, map[string]bool{}
	for _, s := range l.cfg.Schemas {
		families[s.Name.Family()] = true
		names[string(s.Name)] = true
	}
	return families, names
}

// checkSources checks every data_sources resource and entry: StreamAlert
// requires a resource name to appear once across all services and
// clusters (it identifies the cluster of a record); sa also requires each
// entry to select at least one schema, where StreamAlert silently
// classified nothing.
func (l *loader) checkSources() {
	families, names := l.logNames()
	first := map[string]sourceRef{}
	for _, r := range l.sourceRefs {
		if r.n == nil {
			if prev, dup := first[r.resource]; dup {
				r.f.report(SeverityError, r.off, r.p, "resource already listed in %s (%s); StreamAlert requires resource names to be unique across clusters and services",
					prev.f.name, prev.p)
			} else {
				first[r.resource] = r
			}
			continue
		}
		if len(l.cfg.Schemas) == 0 {
			continue // the missing schemas are reported already
		}
		v := r.n.text
		switch {
		case !strings.Contains(v, ":") && !families[v]:
			r.f.errorf(r.n, r.p, "no schema of log family %q", v)
		case strings.Contains(v, ":") && !names[v]:
			r.f.errorf(r.n, r.p, "no schema named %q", v)
		case strings.Contains(v, ":"):
			r.f.warnf(r.n, r.p, "StreamAlert 3.5 selects schemas by log family only, so there this entry selected nothing; sa selects the log type %q alone", v)
		}
	}
}

// checkThreatIntel repeats StreamAlert's load-time check: threat intel
// needs normalized_types.json, and every normalized type it maps to an IOC
// type must be defined for some log family there.
func (l *loader) checkThreatIntel() {
	if l.tiFile == nil || l.tiFile.root == nil {
		return
	}
	if l.cfg.NormalizedTypes == nil {
		l.tiFile.errorf(l.tiFile.root, "", "threat_intel.json needs normalized_types.json, which is missing or invalid")
		return
	}
	defined := map[string]bool{}
	for _, types := range l.cfg.NormalizedTypes {
		for t := range types {
			defined[t] = true
		}
	}
	for _, r := range l.iocRefs {
		if r.n.kind == kindString && !defined[r.name] {
			l.tiFile.errorf(r.n, r.p, "normalized type %q is not defined for any log in normalized_types.json", r.name)
		}
	}
}

// checkFirehoseLogs checks that each key of firehose.enabled_logs names a
// log family or log type with a schema.
func (l *loader) checkFirehoseLogs() {
	if l.global == nil || l.global.root == nil || len(l.cfg.Schemas) == 0 {
		return
	}
	n := l.global.root
	p := jpath("")
	for _, key := range []string{"infrastructure", "firehose", "enabled_logs"} {
		if n = memberNode(n, key); n == nil {
			return
		}
		p = p.key(key)
	}
	if n.kind != kindObject {
		return
	}
	families, names := l.logNames()
	for _, m := range n.members {
		if !families[m.key] && !names[m.key] {
			l.global.report(SeverityError, m.keyOff, p.key(m.key), "no schema of log family or log type %q", m.key)
		}
	}
}
