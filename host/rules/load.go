package rules

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ReadDir reads every rule or matcher file under dir: files ending in
// .yaml or .yml at any depth, sorted by path, skipping files and
// directories whose names start with '.' or '_'.
func ReadDir(dir string) ([]File, error) {
	var out []File
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if path != dir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out = append(out, File{Name: filepath.ToSlash(path), Data: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rules: read %s: %w", dir, err)
	}
	slices.SortFunc(out, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// loader runs one load: parse, check references, compile, index.
type loader struct {
	opts     Options
	probs    *problems
	c        *compiler
	rules    []*ruleSpec
	matchers []*matcherSpec
	// compiledFor holds each rule's compiled forms by log type
	// (dynamicLog for the untyped one).
	compiledFor map[*ruleSpec]map[string]*compiled
}

func (l *loader) load() *Engine {
	for _, f := range l.opts.Matchers {
		l.matchers = append(l.matchers, parseMatchers(f, l.probs)...)
	}
	for _, f := range l.opts.Rules {
		l.rules = append(l.rules, parseRules(f, l.probs)...)
	}
	e := &Engine{byName: map[string]*entry{}, byLog: map[string]*ruleIndex{}}
	for _, m := range l.matchers {
		if prev, dup := l.c.matchers[m.Name]; dup {
			l.probs.errorf(m.at, m.Name, "matcher defined twice (also at %s:%d)", prev.File, prev.Line)
			continue
		}
		l.c.matchers[m.Name] = m
		e.matchers = append(e.matchers, &m.Matcher)
	}
	for _, r := range l.rules {
		if prev, dup := e.byName[r.Name]; dup {
			l.probs.errorf(r.at, r.Name, "rule defined twice (also at %s:%d)", prev.rule.File, prev.rule.Line)
			continue
		}
		en := &entry{rule: &r.Rule}
		e.byName[r.Name] = en
		e.rules = append(e.rules, en)
		l.check(r)
		l.compileRule(e, r, en)
	}
	l.index(e)
	return e
}

// check verifies what a rule names: matchers, outputs, publishers, log
// types and datatypes.
func (l *loader) check(r *ruleSpec) {
	for i, m := range r.Matchers {
		if _, ok := l.c.matchers[m]; !ok {
			l.probs.errorf(r.matcherAt[i], r.Name, "unknown matcher %q", m)
		}
	}
	if l.opts.KnownOutput != nil {
		for i, o := range r.Outputs {
			if validOutput(o) && !l.opts.KnownOutput(o) {
				l.probs.warnf(r.outputsAt[i], r.Name, "output %q is not configured (outputs.json); alerts cannot be delivered to it", o)
			}
		}
	}
	if l.opts.KnownPublisher != nil {
		for _, p := range r.Publishers.names() {
			if !l.opts.KnownPublisher(p) {
				l.probs.errorf(r.at, r.Name, "unknown publisher %q", p)
			}
		}
	}
	if s := l.opts.Schemas; s != nil {
		for i, lt := range r.Logs {
			if _, ok := s.Schema(lt); !ok {
				l.probs.errorf(r.logsAt[i], r.Name, "unknown log type %q%s", lt, suggest(lt, s.LogTypes()))
			}
		}
		l.checkDatatypes(r)
	}
}

// checkDatatypes warns about datatypes no log type produces: StreamAlert
// rules name some (right_to_left_character's file_name), so they load.
func (l *loader) checkDatatypes(r *ruleSpec) {
	produced := map[string]bool{}
	for _, lt := range l.opts.Schemas.LogTypes() {
		s, _ := l.opts.Schemas.Schema(lt)
		for _, n := range s.Normalized {
			produced[n] = true
		}
	}
	for i, dt := range r.Datatypes {
		if !produced[dt] {
			l.probs.warnf(r.dtAt[i], r.Name, "no log type produces the normalized type %q", dt)
		}
	}
}

func (p Publishers) names() []string {
	out := slices.Clone(p.All)
	for _, chain := range p.ByOutput {
		out = append(out, chain...)
	}
	return out
}

// suggest names the closest known log type, for typos.
func suggest(name string, known []string) string {
	best, bestD := "", len(name)/3+1
	for _, k := range known {
		if d := editDistance(name, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
